import { getJson } from './api.js';
import { h, number, s, storeLink, table, whenUtc } from './dom.js';
import { ReportStatus } from './statuses.js';

const BINS = 10;

function histogram(title, counts, none, id) {
  const width = 360, height = 160, pad = 24, barWidth = (width - pad) / BINS;
  const max = Math.max(1, ...counts);
  const bars = counts.map((count, i) => {
    const barHeight = (count / max) * (height - 2 * pad);
    const x = pad + i * barWidth;
    return s('g', {},
      s('rect', { x: x + 1, y: height - pad - barHeight, width: barWidth - 2, height: barHeight, class: 'bar', 'data-bin': i, 'data-count': count },
        s('title', {}, `${i * 10}–${(i + 1) * 10}% uptime: ${count} stores`)),
      s('text', { x: x + barWidth / 2, y: height - pad - barHeight - 4, class: 'label', 'text-anchor': 'middle' }, count),
      s('text', { x: x + barWidth / 2, y: height - 8, class: 'axis', 'text-anchor': 'middle' }, `${i * 10}`));
  });
  return h('figure', { class: 'chart' },
    s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-caption`, id, 'data-chart': 'histogram' },
      s('line', { x1: pad, x2: width, y1: height - pad, y2: height - pad, class: 'baseline' }), bars),
    h('figcaption', { id: `${id}-caption` }, `${title}: stores by estimated uptime share of business hours (%, bins of 10); ${none} stores had no business hours in the window.`));
}

function figures(total, open, down, unknown) {
  const item = (name, label, value) => h('div', { class: 'figure' }, h('dt', {}, label), h('dd', { 'data-figure': name }, value));
  return h('dl', { class: 'figures' },
    item('total', 'Stores', total), item('open', 'Open now', open), item('down', 'Down now', down), item('unknown', 'Unknown or stale', unknown));
}

function lastImport(debug) {
  const last = debug.last_import;
  const parts = [h('h2', { id: 'import' }, 'Last import')];
  if (!last) return [...parts, h('p', {}, 'No import recorded.')];
  parts.push(h('p', {}, `${last.succeeded ? 'Succeeded' : 'Failed'}, finished ${whenUtc(last.finished_at)}.`));
  if (last.missing_files.length) parts.push(h('p', { class: 'error' }, `Missing: ${last.missing_files.join(', ')}`));
  parts.push(table('Files', ['File', 'Rows read', 'Imported', 'Unchanged', 'Rejected', 'Conflicts', 'Error'],
    last.files.map(f => h('tr', { 'data-file': f.kind },
      h('td', {}, f.file), h('td', { class: 'num' }, f.rows_read), h('td', { class: 'num' }, f.imported), h('td', { class: 'num' }, f.unchanged),
      h('td', { class: 'num', 'data-rejected': f.rejected }, f.rejected), h('td', { class: 'num' }, f.conflicts), h('td', {}, f.error || '')))));
  parts.push(table('Rejected rows (examples)', ['File', 'Line', 'Reason', 'Text'],
    debug.rejected_rows.map(r => h('tr', { class: 'rejected' }, h('td', {}, r.file), h('td', { class: 'num' }, r.line), h('td', {}, r.reason), h('td', {}, h('code', {}, r.text))))));
  return parts;
}

// "last_week" -> "Last week": the digest names its windows, the page charts each.
const windowLabel = name => name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' ');
const stem = column => column.charAt(0).toUpperCase() + column.slice(1);

function downtimeTable(summary) {
  const widest = summary.windows[summary.windows.length - 1];
  const narrower = summary.windows.slice(0, -1).reverse();
  return table(`The 20 stores with most estimated downtime in the ${windowLabel(widest.name).toLowerCase()} (${widest.unit})`,
    ['Store', `${stem(widest.column)} downtime (h)`, `${stem(widest.column)} business (h)`, ...narrower.map(w => `${stem(w.column)} downtime (h)`)],
    summary.most_downtime.map(r => h('tr', { 'data-store': r.store_id },
      h('td', {}, storeLink(r.store_id)), h('td', { class: 'num', 'data-field': `${widest.column}-downtime` }, number(r[`${widest.name}_downtime`])),
      h('td', { class: 'num' }, number(r[`${widest.name}_business`])), narrower.map(w => h('td', { class: 'num' }, number(r[`${w.name}_downtime`]))))),
    { id: 'most-downtime' });
}

export async function overview(ctx) {
  const [digest, list, open] = await Promise.all([getJson('/ui/api/overview'), getJson('/reports?limit=20'), getJson('/incidents?open=true&limit=20')]);
  const { stores } = digest;
  const latest = list.find(r => r.status === ReportStatus.complete);
  const summary = latest ? await getJson(`/ui/api/report_summary?report_id=${latest.report_id}`) : null;

  const report = summary
    ? [
        h('p', {}, 'From report ', h('a', { href: '#/reports' }, summary.report_id), ` (${summary.method}, now ${summary.now ? whenUtc(summary.now) : 'the latest poll'}, ${summary.stores} stores).`),
        h('div', { class: 'charts' },
          summary.windows.map(w => histogram(windowLabel(w.name), summary.histogram[w.name], summary.histogram[`no_business_${w.column}`], `hist-${w.column}`))),
        h('h2', { id: 'downtime' }, 'Most downtime in business hours'),
        downtimeTable(summary),
      ]
    : [h('p', {}, 'No report has completed yet: ', h('a', { href: '#/reports' }, 'trigger one'), '.')];

  if (stores.total === 0) {
    // The same words as the API's 409 for a report asked for now.
    ctx.show(
      h('h1', {}, 'Overview'),
      h('p', { id: 'no-polls', role: 'status' }, 'No polls imported yet: import first, with ',
        h('code', {}, `curl -X POST ${location.origin}/import_data`), ' (the service\'s data directory) or ',
        h('code', {}, 'storemon import DIR'), '.'),
      lastImport(digest));
    return;
  }

  ctx.show(
    h('h1', {}, 'Overview'),
    h('p', {}, `States at ${whenUtc(digest.now)} (the latest poll).`),
    figures(stores.total, stores.open_now, stores.down, stores.unknown),
    h('h2', { id: 'uptime' }, 'Uptime distribution'),
    report,
    h('h2', { id: 'open-incidents' }, 'Open incidents'),
    table('Open incidents, newest first (at most 20)', ['Store', 'Started (UTC)', 'Minutes down', 'Polls'],
      open.incidents.map(i => h('tr', { 'data-incident': i.incident_id },
        h('td', {}, storeLink(i.store_id)), h('td', {}, whenUtc(i.start)), h('td', { class: 'num' }, number(i.duration_minutes, 1)), h('td', { class: 'num' }, i.polls))),
      { id: 'open-incidents-table' }),
    lastImport(digest));
}
