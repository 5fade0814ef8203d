using StoreMonitoring.Alerts;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Webhooks;

/// <param name="StoreIds">The stores it is about; null (omitted) for every store.</param>
/// <param name="MinMinutes">Business minutes an incident must last before <c>store.down</c> (default 60).</param>
internal sealed record CreateWebhookRequest(string? Url, List<string>? Events, List<string>? StoreIds, int? MinMinutes);

internal sealed record WebhookResponse(
    string WebhookId, string Url, IReadOnlyList<string> Events, IReadOnlyList<string>? StoreIds, int MinMinutes, bool Enabled, string CreatedAt, string? DisabledAt, string? DisabledReason)
{
    public static WebhookResponse From(WebhookSubscription s) => new(
        s.WebhookId, s.Url, s.Events, s.StoreIds, s.MinMinutes, s.DisabledAtUs is null, UnixMicros.Format(s.CreatedAtUs),
        s.DisabledAtUs is { } d ? UnixMicros.Format(d) : null, s.DisabledReason);
}

/// <param name="Secret">The signing secret, shown this once: <c>whsec_</c> and base64.</param>
internal sealed record CreatedWebhookResponse(
    string WebhookId, string Url, IReadOnlyList<string> Events, IReadOnlyList<string>? StoreIds, int MinMinutes, bool Enabled, string CreatedAt, string Secret)
{
    public static CreatedWebhookResponse From(WebhookSubscription s) => new(
        s.WebhookId, s.Url, s.Events, s.StoreIds, s.MinMinutes, true, UnixMicros.Format(s.CreatedAtUs), s.Secret);
}

internal sealed record WebhookListResponse(IReadOnlyList<WebhookResponse> Webhooks);

/// <param name="DeliveryId">Also the <c>webhook-id</c> header the receiver sees, the same on every attempt.</param>
/// <param name="Status">pending, sending, delivered, failed or cancelled.</param>
internal sealed record DeliveryResponse(
    string DeliveryId, string EventType, string Status, long Attempts, string CreatedAt, string? NextAttemptAt, string? LastAttemptAt, long? LastResponseCode,
    string? LastError, string? DeliveredAt)
{
    public static DeliveryResponse From(WebhookDelivery d) => new(
        d.DeliveryId, d.EventType, d.Status.Name(), d.Attempts, UnixMicros.Format(d.CreatedAtUs), d.Status == DeliveryStatus.Pending ? UnixMicros.Format(d.DueAtUs) : null,
        d.LastAttemptUs is { } a ? UnixMicros.Format(a) : null, d.LastStatusCode, d.LastError, d.DeliveredAtUs is { } at ? UnixMicros.Format(at) : null);
}

internal sealed record DeliveryListResponse(string WebhookId, IReadOnlyList<DeliveryResponse> Deliveries);

internal sealed record TestEventResponse(string WebhookId, string DeliveryId, string EventType);
