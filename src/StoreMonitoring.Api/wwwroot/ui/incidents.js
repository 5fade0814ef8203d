import { getJson } from './api.js';
import { error, h, number, storeLink, table, whenUtc } from './dom.js';

export async function incidents(ctx, params) {
  const query = new URLSearchParams();
  for (const name of ['open', 'store_id', 'min_minutes', 'cursor']) {
    if (params.get(name)) query.set(name, params.get(name));
  }
  query.set('limit', '50');
  let body = null, failure = null;
  try {
    body = await getJson(`/incidents?${query}`);
  } catch (err) {
    failure = err;
  }

  const form = h('form', { id: 'incident-filter', class: 'filter' },
    h('label', { for: 'f-open' }, 'State'),
    h('select', { id: 'f-open', name: 'open' },
      h('option', { value: '' }, 'Any'),
      h('option', { value: 'true', selected: params.get('open') === 'true' }, 'Open'),
      h('option', { value: 'false', selected: params.get('open') === 'false' }, 'Ended')),
    h('label', { for: 'f-store' }, 'Store id'),
    h('input', { id: 'f-store', name: 'store_id', value: params.get('store_id') || '', autocomplete: 'off', spellcheck: 'false' }),
    h('label', { for: 'f-min' }, 'Minimum minutes'),
    h('input', { id: 'f-min', name: 'min_minutes', type: 'number', min: 0, max: 10080, value: params.get('min_minutes') || '' }),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) next.set(name, value);
    location.hash = `#/incidents?${next}`;
  });

  const more = body && body.next_cursor
    ? (() => {
        const next = new URLSearchParams(params);
        next.set('cursor', body.next_cursor);
        return h('p', {}, h('a', { href: `#/incidents?${next}`, id: 'next-page' }, 'Next page'));
      })()
    : null;
  ctx.show(
    h('h1', {}, 'Incidents'),
    form,
    failure ? error(failure) : table('Incidents, newest first', ['Store', 'Started (UTC)', 'Ended (UTC)', 'Minutes down', 'Polls'],
      body.incidents.map(i => h('tr', { 'data-incident': i.incident_id, 'data-minutes': i.duration_minutes },
        h('td', {}, storeLink(i.store_id)), h('td', {}, whenUtc(i.start)), h('td', {}, i.end ? whenUtc(i.end) : 'open'),
        h('td', { class: 'num' }, number(i.duration_minutes, 1)), h('td', { class: 'num' }, i.polls))),
      { id: 'incident-table' }),
    more);
}
