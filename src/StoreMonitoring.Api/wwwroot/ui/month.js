// The fleet month: GET /ui/api/month (the period report for month:YYYY-MM, read key), a table
// sortable by availability, and the same month's CSV.
import { download, getJson } from './api.js';
import { h, number, storeLink, table } from './dom.js';

const COLUMNS = [['business_hours', 'Business hours'], ['uptime_hours', 'Uptime hours'], ['downtime_hours', 'Downtime hours'], ['unknown_hours', 'Unknown hours'], ['availability_pct', 'Availability %']];

function sorted(stores, order) {
  if (order === 'store') return stores;
  // Stores without availability (no known time) go last either way.
  const value = r => r.availability_pct ?? (order === 'asc' ? Infinity : -Infinity);
  return [...stores].sort((a, b) => order === 'asc' ? value(a) - value(b) : value(b) - value(a));
}

export async function month(ctx, params) {
  const chosen = params.get('month');
  const order = params.get('sort') || 'store';
  const report = await getJson(`/ui/api/month${chosen ? `?month=${encodeURIComponent(chosen)}` : ''}`);
  const shown = report.period.slice('month:'.length);
  const go = (m, sort) => { location.hash = `#/month?month=${encodeURIComponent(m)}${sort && sort !== 'store' ? `&sort=${sort}` : ''}`; };

  const input = h('input', { id: 'm-month', name: 'month', type: 'month', value: shown, required: true });
  const form = h('form', { id: 'month-form', class: 'filter' }, h('label', { for: 'm-month' }, 'Month'), input, h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', event => { event.preventDefault(); if (input.value) go(input.value, order); });

  const csvPath = `/ui/api/month?month=${shown}&format=csv`;
  const csvName = `report_month_${shown}.csv`;
  const csv = h('a', {
    href: csvPath, id: 'month-csv', download: csvName, class: 'download',
    onclick: event => { event.preventDefault(); download(csvPath, csvName).catch(err => event.target.after(String(err.message || err))); },
  }, `Download ${shown} as CSV`);

  const next = order === 'asc' ? 'desc' : 'asc';
  const sortButton = h('button', { type: 'button', class: 'sort', id: 'sort-availability', 'aria-label': `Sort by availability, ${next === 'asc' ? 'lowest' : 'highest'} first`, onclick: () => go(shown, next) },
    `Availability % ${order === 'asc' ? '▲' : order === 'desc' ? '▼' : ''}`);
  const rows = sorted(report.stores, order).map(r => h('tr', { 'data-store': r.store_id },
    h('td', {}, storeLink(r.store_id)),
    COLUMNS.map(([field]) => h('td', { class: 'num', 'data-field': field, 'data-value': r[field] ?? '' }, r[field] == null ? '—' : number(r[field]))),
    h('td', {}, r.partial ? 'to date' : '')));
  const headers = ['Store', ...COLUMNS.slice(0, -1).map(([, label]) => label), sortButton, 'Partial'];
  ctx.show(
    h('h1', {}, `Fleet month ${shown}`),
    form,
    h('p', {}, `Each store's local dates of ${shown} in its business hours, summed from the daily rollups (as of ${report.now}). `, csv),
    table(`${report.stores.length} stores, ${order === 'store' ? 'by store id' : `by availability, ${order === 'asc' ? 'lowest' : 'highest'} first`}`, headers, rows, { id: 'month-table' }));
}
