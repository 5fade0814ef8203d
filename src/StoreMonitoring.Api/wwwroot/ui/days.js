// 90 daily availability bars from one GET /stores/{id}/days: height and colour by availability;
// closed dates (no business hours) and dates with no known time are drawn apart from 0 %.
import { h, number, s } from './dom.js';

function kind(day) {
  if (day.closed) return 'closed';
  if (day.availability_pct === null || day.availability_pct === undefined) return 'unknown';
  return day.availability_pct >= 99 ? 'good' : day.availability_pct >= 90 ? 'fair' : 'poor';
}

function describe(day) {
  const partial = day.partial ? ' (today, not over)' : '';
  if (day.closed) return `${day.date}${partial}: closed (no business hours)`;
  if (kind(day) === 'unknown') return `${day.date}${partial}: availability unknown, ${number(day.unknown_hours)} h unknown of ${number(day.business_hours)} business hours`;
  return `${day.date}${partial}: ${number(day.availability_pct)} % available, up ${number(day.uptime_hours)} h, down ${number(day.downtime_hours)} h, unknown ${number(day.unknown_hours)} h`;
}

export function dayBars(page) {
  const days = page.days;
  const width = 960, height = 60, gap = 2;
  const w = width / Math.max(1, days.length);
  const bars = days.map((day, i) => {
    const k = kind(day);
    // A known day's bar is as tall as its availability (at least a sliver, so 0 % shows); the others are full-height patterns.
    const share = k === 'closed' || k === 'unknown' ? 1 : Math.max(0.04, day.availability_pct / 100);
    return s('rect', {
      x: i * w, y: height * (1 - share), width: Math.max(1, w - gap), height: height * share, class: `day ${k}`,
      'data-date': day.date, 'data-kind': k, 'data-availability': day.availability_pct ?? '', 'data-closed': day.closed,
    }, s('title', {}, describe(day)));
  });
  const counts = ['good', 'fair', 'poor', 'unknown', 'closed'].map(k => [k, days.filter(d => kind(d) === k).length]);
  const labels = { good: '≥ 99 %', fair: '90–99 %', poor: '< 90 %', unknown: 'unknown', closed: 'closed' };
  return h('figure', { class: 'chart wide' },
    s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'days-caption', id: 'days', 'data-chart': 'days', preserveAspectRatio: 'none' }, bars),
    h('figcaption', { id: 'days-caption' },
      `Availability per local date, ${page.from} to ${page.to} (${page.timezone}), one bar per date: `,
      counts.map(([k, n]) => `${n} ${labels[k]}`).join(', '), '. Hover a bar for its figures. ',
      h('span', { class: 'legend' }, counts.map(([k]) => h('span', { class: `key d-${k}` }, labels[k])))),
    h('details', {}, h('summary', {}, 'Every date as text'),
      h('ul', { id: 'days-text', class: 'hours' }, days.map(d => h('li', { 'data-date': d.date }, describe(d))))));
}
