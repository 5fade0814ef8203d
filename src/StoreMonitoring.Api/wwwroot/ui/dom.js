// Small helpers: elements built with the DOM (no innerHTML, no inline styles), numbers and times.
const SVG = 'http://www.w3.org/2000/svg';

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG, tag), attrs, children);

/** Parses the API's UTC timestamps (microseconds) to milliseconds. */
export function utc(text) {
  return Date.parse(text.replace(/(\.\d{3})\d*/, '$1'));
}

export function isoUtc(ms) {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const formats = new Map();
function format(zone) {
  if (!formats.has(zone)) {
    formats.set(zone, new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }));
  }
  return formats.get(zone);
}

function parts(ms, zone) {
  const p = Object.fromEntries(format(zone).formatToParts(ms).map(x => [x.type, x.value]));
  return p;
}

export function local(ms, zone) {
  const p = parts(ms, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offset(ms, zone) {
  const p = parts(ms, zone);
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

const DAY = 86400000;

/** The UTC instant of the local midnight that starts the local day containing ms. */
export function localMidnight(ms, zone) {
  const wallMidnight = Math.floor((ms + offset(ms, zone)) / DAY) * DAY;
  let guess = wallMidnight - offset(wallMidnight - offset(ms, zone), zone);
  if (guess > ms) guess -= DAY;
  return guess;
}

/** Local days [start, end) covering [from, to), each as UTC instants. */
export function localDays(from, to, zone) {
  const days = [];
  let start = localMidnight(from, zone);
  while (start < to) {
    // 26 hours always reaches the next local day, whatever a DST change does.
    const end = localMidnight(start + 26 * 3600000, zone);
    days.push({ start, end, label: local(start + 3600000 * 12, zone).slice(0, 10) });
    start = end;
  }
  return days;
}

// Figures always with the same number of decimals (3.60 beside 10.25, not 3.6).
export const number = (value, digits = 2) => Number(value).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** An API instant as people read it: to the second, in UTC ("2025-11-05 23:24:17 UTC"). */
export const whenUtc = text => `${isoUtc(Math.floor(utc(text) / 1000) * 1000).replace('T', ' ').replace('Z', '')} UTC`;

/** An API instant in a store's zone, to the second ("2025-11-05 17:24:17"). */
export const whenLocal = (text, zone) => local(utc(text), zone);

export const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export const storeLink = id => h('a', { href: `#/stores/${encodeURIComponent(id)}` }, id);

export function table(caption, headers, rows, attrs = {}) {
  return h('table', attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map(x => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, 'None'))));
}

export const error = err => h('p', { class: 'error', role: 'alert' }, err.message || String(err));
