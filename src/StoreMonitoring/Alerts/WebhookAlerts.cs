using System.Data.Common;
using StoreMonitoring.Import;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports;
using StoreMonitoring.Time;

namespace StoreMonitoring.Alerts;

/// <summary>
/// Turns incident changes, finished reports and recorded imports into outbox rows, inside the
/// transaction (or on the connection) of the change itself: a crash after the commit loses no
/// event, and a rollback raises none.
/// </summary>
/// <remarks>
/// <para><c>store.down</c>: an incident's business-time downtime reached the subscription's
/// <c>min_minutes</c> while it was open. Incidents hold business time only, so an outage while
/// the store is closed raises nothing and one that starts before opening counts from opening. An
/// incident that arrives already ended (history from a file import) raises nothing: it is no
/// longer news.</para>
/// <para><c>store.recovered</c>: that incident was open and ended, or disappeared when the polls
/// were corrected, and its <c>store.down</c> went to the same subscription.</para>
/// <para>Each event is keyed per subscription (<c>store.down:{incident}</c>), so seeing the same
/// change again, after a recomputation or from a second instance, queues nothing new.</para>
/// </remarks>
public sealed class WebhookAlerts(WebhookOutbox outbox, TimeProvider time) : IIncidentObserver, IReportObserver, IImportObserver
{
    public void OnChanged(DbConnection connection, DbTransaction transaction, IReadOnlyList<(IncidentSnapshot? Before, IncidentSnapshot? After)> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var subscriptions = WebhookSubscriptions.Active(connection, transaction)
            .Where(s => s.Events.Contains(WebhookEvents.StoreDown) || s.Events.Contains(WebhookEvents.StoreRecovered)).ToList();
        if (subscriptions.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var (before, after) in changes)
        {
            var incident = after ?? before;
            if (incident is null)
            {
                continue;
            }

            var downKey = $"{WebhookEvents.StoreDown}:{incident.IncidentId}";
            // Only an incident open before or after the change can raise anything: a file of
            // history brings many that are born over, and they cost no query here.
            var live = after is { EndUs: null } || before is { EndUs: null };
            var ended = before is { EndUs: null } && (after is null || after.EndUs is not null);
            foreach (var subscription in subscriptions)
            {
                if (after is not null && live && after.DownUs >= Threshold(subscription) && subscription.Wants(WebhookEvents.StoreDown, after.StoreId))
                {
                    outbox.Enqueue(connection, transaction, subscription.WebhookId, WebhookEvents.StoreDown, downKey,
                        WebhookEvents.Payload(WebhookEvents.StoreDown, now, WebhookEvents.Incident(after, subscription.MinMinutes)));
                }

                if (ended && subscription.Wants(WebhookEvents.StoreRecovered, incident.StoreId)
                    && WebhookOutbox.Contains(connection, transaction, subscription.WebhookId, downKey))
                {
                    outbox.Enqueue(connection, transaction, subscription.WebhookId, WebhookEvents.StoreRecovered, $"{WebhookEvents.StoreRecovered}:{incident.IncidentId}",
                        WebhookEvents.Payload(WebhookEvents.StoreRecovered, now, WebhookEvents.Incident(incident, subscription.MinMinutes)));
                }
            }
        }
    }

    public void OnCompleted(DbConnection connection, DbTransaction? transaction, string reportId, string method, long? nowUs, int stores)
    {
        var payload = WebhookEvents.Payload(WebhookEvents.ReportCompleted, time.GetUtcNow(), new ReportData(reportId, method, nowUs is { } n ? UnixMicros.Format(n) : null, stores));
        Raise(connection, transaction, WebhookEvents.ReportCompleted, $"{WebhookEvents.ReportCompleted}:{reportId}", payload);
    }

    public void OnCompleted(DbConnection connection, DbTransaction? transaction, ImportSummary summary)
    {
        var started = UnixMicros.FromDateTimeOffset(summary.StartedAt);
        var data = new ImportData(
            summary.Succeeded, UnixMicros.Format(started), UnixMicros.Format(UnixMicros.FromDateTimeOffset(summary.FinishedAt)),
            [.. summary.Files.Select(f => new ImportFileData(f.Kind.ToString(), Path.GetFileName(f.File), f.Imported, f.Unchanged, f.Rejected, f.Conflicts, f.Error))],
            summary.MissingFiles);
        Raise(connection, transaction, WebhookEvents.ImportCompleted, $"{WebhookEvents.ImportCompleted}:{started}", WebhookEvents.Payload(WebhookEvents.ImportCompleted, time.GetUtcNow(), data));
    }

    private void Raise(DbConnection connection, DbTransaction? transaction, string eventType, string key, string payload)
    {
        foreach (var subscription in WebhookSubscriptions.Active(connection, transaction).Where(s => s.Wants(eventType)))
        {
            outbox.Enqueue(connection, transaction, subscription.WebhookId, eventType, key, payload);
        }
    }

    // min_minutes 0 means every incident, but an incident with no downtime yet is not an outage.
    private static long Threshold(WebhookSubscription subscription) => Math.Max(1, subscription.MinMinutes * UnixMicros.PerMinute);
}
