using System.Diagnostics.Metrics;

namespace StoreMonitoring.Alerts;

/// <summary>The <c>storemon.webhooks.deliveries</c> counter: one count per attempt, tagged with its outcome.</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _deliveries;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Meters.Name);
        _deliveries = meter.CreateCounter<long>("storemon.webhooks.deliveries", "{attempt}", "Webhook delivery attempts by outcome: delivered, retrying, failed, gone, refused.");
    }

    public void Attempted(string outcome) => _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
