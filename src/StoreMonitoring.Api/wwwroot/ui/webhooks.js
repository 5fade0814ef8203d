import { getJson } from './api.js';
import { error, h, table } from './dom.js';

// Subscriptions and their deliveries, read-only (the service asks a write key even to list them).
export async function webhooks(ctx, params) {
  let list;
  try {
    list = await getJson('/webhooks');
  } catch (err) {
    ctx.show(h('h1', {}, 'Webhooks'), error(err.status === 403 ? new Error('Listing webhooks needs a write key (they name where alerts go).') : err));
    return;
  }
  const selected = params.get('id') || (list.webhooks[0] && list.webhooks[0].webhook_id);
  const deliveries = selected ? await getJson(`/webhooks/${encodeURIComponent(selected)}/deliveries`) : null;
  ctx.show(
    h('h1', {}, 'Webhooks'),
    table('Subscriptions, oldest first', ['Webhook', 'URL', 'Events', 'Stores', 'Min minutes', 'State'],
      list.webhooks.map(w => h('tr', { 'data-webhook': w.webhook_id },
        h('td', {}, h('a', { href: `#/webhooks?id=${encodeURIComponent(w.webhook_id)}`, 'aria-current': w.webhook_id === selected ? 'true' : null }, w.webhook_id)),
        h('td', {}, h('code', {}, w.url)), h('td', {}, w.events.join(', ')), h('td', {}, w.store_ids ? w.store_ids.join(', ') : 'all'),
        h('td', { class: 'num' }, w.min_minutes), h('td', {}, w.enabled ? 'enabled' : `disabled: ${w.disabled_reason || ''}`))),
      { id: 'webhook-table' }),
    deliveries
      ? table(`Deliveries of ${selected}, newest first`, ['Delivery', 'Event', 'Status', 'Attempts', 'Created', 'Last attempt', 'Response', 'Error'],
          deliveries.deliveries.map(d => h('tr', { 'data-delivery': d.delivery_id, 'data-status': d.status },
            h('td', {}, h('code', {}, d.delivery_id)), h('td', {}, d.event_type), h('td', {}, d.status), h('td', { class: 'num' }, d.attempts),
            h('td', {}, d.created_at), h('td', {}, d.last_attempt_at || ''), h('td', { class: 'num' }, d.last_response_code ?? ''), h('td', {}, d.last_error || ''))),
          { id: 'delivery-table' })
      : null);
}
