import { getJson } from './api.js';
import { dayBars } from './days.js';
import { DAYS, h, local, localDays, number, s, table, utc, whenLocal } from './dom.js';

const WEEK = 7 * 86400000;
const STATES = ['up', 'down', 'unknown', 'closed'];
const RULES = {
  active_poll: 'an active poll',
  inactive_poll: 'an inactive poll',
  no_poll_in_reach: 'no poll near enough',
  outside_business_hours: 'outside business hours',
};

function evidence(interval, zone) {
  const poll = interval.evidence.poll;
  const by = RULES[interval.evidence.rule] || interval.evidence.rule;
  return poll ? `${by}: ${poll.status} at ${local(utc(poll.timestamp_utc), zone)} local (${poll.timestamp_utc})` : by;
}

function timeline(data, zone) {
  const from = utc(data.from), to = utc(data.to);
  const width = 960, rowHeight = 22, labelWidth = 96, gap = 8;
  const days = localDays(from, to, zone);
  const intervals = data.intervals.map((interval, index) => ({ ...interval, index, startMs: utc(interval.start), endMs: utc(interval.end) }));
  const polls = data.polls.map(p => ({ ...p, at: utc(p.timestamp_utc) }));
  const span = width - labelWidth;
  const rows = days.map((day, row) => {
    const y = row * (rowHeight + gap);
    const x = t => labelWidth + ((t - day.start) / (day.end - day.start)) * span;
    const segments = intervals.filter(i => i.endMs > day.start && i.startMs < day.end).map(i => {
      const a = Math.max(i.startMs, day.start), b = Math.min(i.endMs, day.end);
      return s('rect', {
        x: x(a), y, width: Math.max(0.5, x(b) - x(a)), height: rowHeight, class: `seg ${i.state}`,
        'data-state': i.state, 'data-interval': i.index, 'data-start': i.start, 'data-end': i.end,
      }, s('title', {}, `${i.state}: ${local(i.startMs, zone)} to ${local(i.endMs, zone)} local (${i.start} to ${i.end}); evidence: ${evidence(i, zone)}`));
    });
    const ticks = polls.filter(p => p.at >= day.start && p.at < day.end).map(p =>
      s('line', { x1: x(p.at), x2: x(p.at), y1: y - 3, y2: y + rowHeight + 3, class: `tick ${p.status}`, 'data-poll': p.timestamp_utc },
        s('title', {}, `poll ${p.status} at ${local(p.at, zone)} local (${p.timestamp_utc})`)));
    return s('g', { 'data-day': day.label },
      s('text', { x: 0, y: y + rowHeight * 0.7, class: 'axis' }, day.label), segments, ticks);
  });
  const height = days.length * (rowHeight + gap);
  const hours = [0, 6, 12, 18, 24].map(hour => s('text', { x: labelWidth + (hour / 24) * span, y: height + 12, class: 'axis', 'text-anchor': hour === 24 ? 'end' : 'middle' }, `${hour}:00`));
  return h('figure', { class: 'chart wide' },
    s('svg', { viewBox: `0 -4 ${width} ${height + 20}`, role: 'img', 'aria-labelledby': 'timeline-caption', id: 'timeline', 'data-chart': 'timeline' }, rows, hours),
    h('figcaption', { id: 'timeline-caption' },
      `Seven days to ${local(to, zone)} local (${data.to}), one bar per local day in ${zone}; ticks are polls. Hover a segment for its times and evidence. `,
      h('span', { class: 'legend' }, STATES.map(state => h('span', { class: `key ${state}` }, state)))));
}

function hours(list) {
  if (!list.length) return h('p', { id: 'hours' }, 'Open 24 hours, 7 days a week (no hours given).');
  return h('ul', { id: 'hours', class: 'hours' }, list.map(w => h('li', {}, `${DAYS[w.day]} ${w.start_time_local.slice(0, 5)}–${w.end_time_local.slice(0, 5)}`)));
}

function figures(detail) {
  // "last_hour" in minutes -> "Last hour (minutes)".
  const windows = detail.windows.map(w => [w.name, `${w.name.charAt(0).toUpperCase()}${w.name.slice(1).replace(/_/g, ' ')} (${w.unit})`]);
  const fields = ['uptime', 'downtime', 'unknown', 'business', 'estimated_uptime', 'estimated_downtime', 'polls'];
  return table(`Figures at ${whenLocal(detail.now, detail.timezone)} local (${detail.method})`, ['Window', ...fields.map(f => f.replace('_', ' '))],
    windows.map(([name, label]) => h('tr', { 'data-window': name }, h('th', { scope: 'row' }, label),
      fields.map(f => h('td', { class: 'num', 'data-field': f, 'data-value': detail[name][f] }, f === 'polls' ? detail[name][f] : number(detail[name][f]))))),
    { id: 'figures' });
}

export async function store(ctx, id) {
  const path = `/stores/${encodeURIComponent(id)}`;
  const detail = await getJson(path);
  // Exactly seven days before now, microseconds included (the endpoint allows no more).
  const fraction = (detail.now.match(/\.\d+Z$/) || ['Z'])[0];
  const from = new Date(Math.floor(utc(detail.now) / 1000) * 1000 - WEEK).toISOString().replace(/\.\d+Z$/, fraction);
  const [data, incidents, days] = await Promise.all([
    getJson(`${path}/timeline?from=${encodeURIComponent(from)}&to=${encodeURIComponent(detail.now)}`),
    getJson(`${path}/incidents?limit=20`),
    getJson(`${path}/days`),
  ]);
  const zone = detail.timezone;
  ctx.show(
    h('h1', {}, 'Store ', h('code', {}, detail.store_id)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Time zone'), h('dd', { 'data-fact': 'timezone' }, zone),
      h('dt', {}, 'Local time'), h('dd', { 'data-fact': 'local-time' }, whenLocal(detail.now, zone)),
      h('dt', {}, 'State'), h('dd', { 'data-fact': 'state' }, h('span', { class: `badge ${detail.state}` }, detail.state), detail.open_now ? ' (open now)' : ' (closed now)'),
      h('dt', {}, 'Last poll'), h('dd', { 'data-fact': 'last-poll' }, detail.last_poll ? `${detail.last_poll.status} at ${whenLocal(detail.last_poll.timestamp_utc, zone)} local` : 'none')),
    h('h2', {}, 'Business hours (local time)'), hours(detail.business_hours),
    h('h2', {}, 'Timeline'), timeline(data, zone),
    h('h2', {}, 'Last 90 days'), dayBars(days),
    h('h2', {}, 'Uptime'), figures(detail),
    h('h2', {}, 'Incidents'),
    table('This store\'s incidents, newest first (at most 20)', ['Started (local)', 'Ended (local)', 'Minutes down', 'Polls'],
      incidents.incidents.map(i => h('tr', { 'data-incident': i.incident_id },
        h('td', {}, whenLocal(i.start, zone)), h('td', {}, i.end ? whenLocal(i.end, zone) : 'open'), h('td', { class: 'num' }, number(i.duration_minutes, 1)), h('td', { class: 'num' }, i.polls))),
      { id: 'store-incidents' }));
}
