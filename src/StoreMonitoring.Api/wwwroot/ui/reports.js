import { download, getJson, postJson } from './api.js';
import { error, h, table, whenUtc } from './dom.js';
import { ReportStatus } from './statuses.js';

const running = r => r.status === ReportStatus.pending || r.status === ReportStatus.running;
// A report without a now ends at the latest poll once a worker plans it; one that never got a now
// (empty, or failed before planning) shows none rather than a made-up instant.
const nowOf = r => r.now ? whenUtc(r.now) : running(r) ? 'pending (latest poll)' : '—';

function downloads(report) {
  if (report.status !== ReportStatus.complete) return report.error || '';
  const link = (format, label) => {
    const path = `/get_report?report_id=${report.report_id}${format === 'json' ? '&format=json' : ''}`;
    return h('a', {
      href: path, class: 'download', 'data-format': format, download: `report_${report.report_id}.${format}`,
      onclick: event => {
        event.preventDefault();
        download(path, `report_${report.report_id}.${format}`).catch(err => event.target.after(error(err)));
      },
    }, label);
  };
  return [link('csv', 'CSV'), ' ', link('json', 'JSON')];
}

function rows(list) {
  return table('Recent reports, newest first', ['Report', 'Status', 'Method', 'Now', 'Requested', 'Progress', 'Download'],
    list.map(r => h('tr', { 'data-report': r.report_id, 'data-status': r.status },
      h('td', {}, h('code', {}, r.report_id)), h('td', {}, r.status), h('td', {}, r.method), h('td', { 'data-col': 'now' }, nowOf(r)), h('td', {}, whenUtc(r.requested_at)),
      h('td', {}, h('progress', { max: 1, value: r.progress, 'aria-label': `Progress of ${r.report_id}` }, `${Math.round(r.progress * 100)}%`),
        ` ${Math.round(r.progress * 100)}%`),
      h('td', {}, downloads(r)))),
    { id: 'report-table' });
}

export async function reports(ctx) {
  const holder = h('div', { id: 'report-list' });
  const status = h('p', { role: 'status', id: 'trigger-status' });
  let timer = null;

  async function refresh() {
    clearTimeout(timer);
    try {
      const list = await getJson('/reports?limit=20');
      if (!ctx.live) return;
      holder.replaceChildren(rows(list));
      // Live progress: ask again every second while any report is waiting or running.
      if (list.some(running)) timer = setTimeout(refresh, 1000);
    } catch (err) {
      holder.replaceChildren(error(err));
    }
  }

  const form = h('form', { id: 'trigger', class: 'filter' },
    h('label', { for: 't-method' }, 'Method'),
    h('select', { id: 't-method', name: 'method' }, h('option', { value: 'interpolated' }, 'interpolated'), h('option', { value: 'ratio' }, 'ratio'), h('option', { value: 'learned' }, 'learned')),
    h('label', { for: 't-now' }, 'Now (ISO 8601 UTC, empty for the latest poll)'),
    h('input', { id: 't-now', name: 'now', placeholder: '2024-10-14T23:00:00Z', autocomplete: 'off', spellcheck: 'false' }),
    h('button', { type: 'submit' }, 'Trigger report'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) query.set(name, value);
    try {
      const queued = await postJson(`/trigger_report?${query}`);
      status.replaceChildren(`Queued report ${queued.report_id} (${queued.method}).`);
      await refresh();
    } catch (err) {
      status.replaceChildren(error(err));
    }
  });

  await refresh();
  ctx.show(h('h1', {}, 'Reports'), h('h2', {}, 'Trigger a report'), form, status, h('h2', {}, 'Reports'), holder);
}
