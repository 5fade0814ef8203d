// The router: #/overview, #/stores/{id}, #/incidents?…, #/month?month=, #/reports. Each page renders into <main>
// and marks it data-ready once its requests have answered and its charts are drawn.
import { askForKey } from './api.js';
import { error, h } from './dom.js';
import { overview } from './overview.js';
import { store } from './store.js';
import { incidents } from './incidents.js';
import { reports } from './reports.js';
import { webhooks } from './webhooks.js';
import { month } from './month.js';

const main = document.getElementById('main');
let generation = 0;

function route() {
  const [path, query] = (location.hash.slice(1) || '/overview').split('?');
  const params = new URLSearchParams(query || '');
  const storeMatch = path.match(/^\/stores\/(.+)$/);
  if (storeMatch) return { name: 'store', page: ctx => store(ctx, decodeURIComponent(storeMatch[1])) };
  if (path === '/incidents') return { name: 'incidents', page: ctx => incidents(ctx, params) };
  if (path === '/webhooks') return { name: 'webhooks', page: ctx => webhooks(ctx, params) };
  if (path === '/month') return { name: 'month', page: ctx => month(ctx, params) };
  if (path === '/reports') return { name: 'reports', page: ctx => reports(ctx) };
  return { name: 'overview', page: ctx => overview(ctx) };
}

async function render() {
  const current = ++generation;
  const { name, page } = route();
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.dataset.ready = 'false';
  main.dataset.page = name;
  const ctx = {
    // A page replaced by navigation stops drawing and polling.
    get live() { return current === generation; },
    show(...nodes) {
      if (current === generation) main.replaceChildren(...nodes.flat(Infinity).filter(n => n !== null && n !== undefined && n !== false));
    },
  };
  main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    await page(ctx);
  } catch (err) {
    ctx.show(h('h1', {}, 'Something went wrong'), error(err));
  }
  if (current === generation) {
    main.dataset.ready = 'true';
    // For measurements: navigation to drawn page (bench/ui.sh reads it).
    performance.mark(`ready:${name}`);
  }
}

document.getElementById('goto').addEventListener('submit', event => {
  event.preventDefault();
  const id = document.getElementById('goto-store').value.trim();
  if (id) location.hash = `#/stores/${encodeURIComponent(id)}`;
});
document.getElementById('key-button').addEventListener('click', async () => {
  if (await askForKey() !== undefined) render();
});
window.addEventListener('hashchange', () => {
  render();
  main.focus({ preventScroll: true });
});
render();
