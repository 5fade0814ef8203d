using Dapper;
using Microsoft.Extensions.Options;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Alerts;

/// <summary>
/// Raises <c>store.stale</c> for each store that is open now and has sent no poll for longer than
/// <c>StaleAfter</c>: once per stale episode, since the event is keyed by the store and its last
/// poll, and a new poll starts a new episode.
/// </summary>
public sealed class StaleStoreCheck(StoreDatabase database, WebhookOutbox outbox, IOptionsMonitor<WebhookOptions> options, TimeProvider time)
{
    // A probe of store_status's (store_key, observed_at_us) key per store: no scan of the polls.
    private const string LastPollsSql =
        "SELECT s.store_key, (SELECT MAX(st.observed_at_us) FROM store_status st WHERE st.store_key = s.store_key) FROM stores s";

    /// <summary>Queues the events due now; returns how many were queued.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var subscriptions = WebhookSubscriptions.Active(connection, null).Where(s => s.Events.Contains(WebhookEvents.StoreStale)).ToList();
        if (subscriptions.Count == 0)
        {
            return 0;
        }

        var now = UnixMicros.FromDateTimeOffset(time.GetUtcNow());
        var staleBefore = now - (long)options.CurrentValue.StaleAfter.TotalMicroseconds;
        var stale = (await connection.QueryAsync<(int Key, long? LastPoll)>(new CommandDefinition(LastPollsSql, cancellationToken: cancellationToken)))
            .Where(s => s.LastPoll < staleBefore).ToList();
        if (stale.Count == 0)
        {
            return 0;
        }

        var profiles = StoreProfiles.Load(connection);
        var open = new List<TimeRange>();
        var queued = 0;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (key, lastPoll) in stale)
        {
            var profile = profiles.GetValueOrDefault(key) ?? StoreProfile.Unknown(key);
            open.Clear();
            BusinessHours.Expand(profile.Schedule, profile.Zone, now, now + 1, open);
            if (open.Count == 0)
            {
                continue;
            }

            string? payload = null;
            foreach (var subscription in subscriptions.Where(s => s.Wants(WebhookEvents.StoreStale, profile.StoreId)))
            {
                payload ??= WebhookEvents.Payload(WebhookEvents.StoreStale, time.GetUtcNow(), WebhookEvents.Stale(profile.StoreId, profile.Zone, lastPoll!.Value, now));
                if (outbox.Enqueue(connection, transaction, subscription.WebhookId, WebhookEvents.StoreStale, $"{WebhookEvents.StoreStale}:{profile.StoreId}:{lastPoll}", payload) is not null)
                {
                    queued++;
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return queued;
    }
}
