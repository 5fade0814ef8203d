// Every call to the service goes through here: the key, 401 handling and the count of pending requests.
const KEY = 'storemon.key';
let asking = null;
let pending = 0;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function key() {
  return sessionStorage.getItem(KEY);
}

export function pendingRequests() {
  return pending;
}

/** Shows the key dialog once, however many calls are waiting for it; resolves with the key or null. */
export function askForKey() {
  if (asking) return asking;
  const dialog = document.getElementById('key-dialog');
  const form = document.getElementById('key-form');
  const input = document.getElementById('key-input');
  asking = new Promise(resolve => {
    const done = value => {
      form.removeEventListener('submit', submit);
      document.getElementById('key-cancel').removeEventListener('click', cancel);
      document.getElementById('key-clear').removeEventListener('click', clear);
      dialog.removeEventListener('cancel', cancel);
      dialog.close();
      asking = null;
      resolve(value);
    };
    const submit = event => {
      event.preventDefault();
      const value = input.value.trim();
      if (value) sessionStorage.setItem(KEY, value);
      done(value || null);
    };
    const cancel = () => done(null);
    const clear = () => {
      sessionStorage.removeItem(KEY);
      input.value = '';
      done(null);
    };
    form.addEventListener('submit', submit);
    document.getElementById('key-cancel').addEventListener('click', cancel);
    document.getElementById('key-clear').addEventListener('click', clear);
    dialog.addEventListener('cancel', cancel);
    input.value = '';
    dialog.showModal();
    input.focus();
  });
  return asking;
}

async function send(path, init) {
  const headers = new Headers(init.headers || {});
  const current = key();
  if (current) headers.set('Authorization', `Bearer ${current}`);
  pending++;
  try {
    return await fetch(path, { ...init, headers, credentials: 'omit' });
  } finally {
    pending--;
  }
}

async function problem(response) {
  try {
    const body = await response.json();
    const details = body.errors ? Object.values(body.errors).flat().join(' ') : '';
    return [body.title, body.detail, details].filter(Boolean).join(': ');
  } catch {
    return response.statusText;
  }
}

/** Fetches a path; on 401 asks for a key once and retries. Returns the response when it is OK. */
export async function request(path, init = {}) {
  let response = await send(path, init);
  if (response.status === 401) {
    const given = await askForKey();
    if (!given) throw new ApiError(401, 'This service needs an API key.');
    response = await send(path, init);
  }
  if (!response.ok) throw new ApiError(response.status, await problem(response) || `HTTP ${response.status}`);
  return response;
}

export async function getJson(path) {
  return (await request(path)).json();
}

export async function postJson(path) {
  return (await request(path, { method: 'POST' })).json();
}

/** Downloads through fetch, so that the key goes in a header (a plain link cannot carry it). */
export async function download(path, filename) {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
