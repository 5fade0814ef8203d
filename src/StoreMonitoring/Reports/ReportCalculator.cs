using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using NodaTime;
using StoreMonitoring.Import;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Reports;

/// <summary>
/// Computes a report from the database: one ordered read of the observations, one store at a time
/// through the estimator, so memory holds one store's polls, never the table.
/// </summary>
public sealed class ReportCalculator(StoreDatabase database, IOptions<StoreMonitoringOptions> options)
{
    /// <summary>The latest observation over all stores: the default end of the report's windows.</summary>
    public async Task<long?> LatestObservationAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One index seek per store instead of a scan of the whole table: store_status is keyed on
        // (store_key, observed_at_us), so a plain MAX(observed_at_us) reads every row.
        const string sql = """
            SELECT MAX(latest) FROM (
                SELECT (SELECT MAX(o.observed_at_us) FROM store_status o WHERE o.store_key = s.store_key) AS latest FROM stores s
            ) t
            """;
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Runs the report up to <paramref name="now"/>, handing rows to <paramref name="onBatch"/> in
    /// batches (in store-key order, not store-id order). Returns the number of stores.
    /// </summary>
    public int Run(EstimationMethod method, long now, Action<int> onTotal, Action<IReadOnlyList<StoreReportRow>> onBatch, CancellationToken cancellationToken)
    {
        var settings = options.Value.Estimation;
        var batchSize = options.Value.Reports.BatchSize;
        var windows = new ReportWindows(now);
        using var connection = database.Open();
        var stores = LoadStores(connection);
        // Stores with a poll at or before now: an index probe per store, not a scan of the table
        // (every observation's store is registered in `stores` by the same import transaction).
        onTotal(connection.ExecuteScalar<int>(
            "SELECT COUNT(*) FROM stores s WHERE EXISTS (SELECT 1 FROM store_status o WHERE o.store_key = s.store_key AND o.observed_at_us <= @now)", new { now }));

        // Polls older than this cannot shape any window; only the latest of them is kept.
        var cutoff = windows.WeekStart - 2 * settings.HorizonMicros;
        var polls = new List<Poll>(1024);
        var hours = new List<TimeRange>(64);
        var historyHours = new List<TimeRange>(256);
        var historyCursor = 0;
        var history = default(PollHistory);
        var batch = new List<StoreReportRow>(batchSize);
        var count = 0;
        var currentKey = -1;
        Poll? lastBeforeCutoff = null;

        StoreInfo Store(int key) =>
            stores.TryGetValue(key, out var info) ? info : new StoreInfo($"#{key}", BusinessHours.DefaultZone, WeeklySchedule.AlwaysOpen);

        void Finish()
        {
            if (currentKey < 0)
            {
                return;
            }

            if (lastBeforeCutoff is { } earlier)
            {
                polls.Insert(0, earlier);
            }

            var store = Store(currentKey);
            hours.Clear();
            BusinessHours.Expand(store.Schedule, store.Zone, windows.WeekStart, now + 1, hours);
            var uptime = UptimeEstimator.Estimate(
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(polls), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(hours), windows, method, settings, history);
            batch.Add(new StoreReportRow(store.StoreId, uptime));
            count++;
            if (batch.Count >= batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                onBatch(batch);
                batch = new List<StoreReportRow>(batchSize);
            }
        }

        database.Dialect.ReadObservations(connection, now, (key, at, active) =>
        {
            if (key != currentKey)
            {
                Finish();
                currentKey = key;
                polls.Clear();
                lastBeforeCutoff = null;
                history = default;
                // The history counts inactive polls only in business hours, so it needs the
                // hours from the store's first poll on: a few ranges a day, once per store.
                var first = Store(key);
                historyHours.Clear();
                historyCursor = 0;
                BusinessHours.Expand(first.Schedule, first.Zone, at, now + 1, historyHours);
            }

            while (historyCursor < historyHours.Count && historyHours[historyCursor].End <= at)
            {
                historyCursor++;
            }

            history = history.Add(active, historyCursor < historyHours.Count && historyHours[historyCursor].Contains(at));

            if (at < cutoff)
            {
                lastBeforeCutoff = new Poll(at, active);
            }
            else
            {
                polls.Add(new Poll(at, active));
            }
        });

        Finish();
        if (batch.Count > 0)
        {
            onBatch(batch);
        }

        return count;
    }

    private sealed record StoreInfo(string StoreId, DateTimeZone Zone, WeeklySchedule Schedule);

    private static Dictionary<int, StoreInfo> LoadStores(DbConnection connection)
    {
        var zones = new Dictionary<int, DateTimeZone>();
        foreach (var (key, zone) in connection.Query<(int, string)>("SELECT store_key, timezone_str FROM store_timezones"))
        {
            zones[key] = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) ?? BusinessHours.DefaultZone;
        }

        var windows = new Dictionary<int, List<OpeningWindow>>();
        foreach (var (key, day, start, end) in connection.Query<(int, int, string, string)>("SELECT store_key, day_of_week, start_local, end_local FROM business_hours"))
        {
            if (LocalTimeText.TryParse(start, out var startTime) && LocalTimeText.TryParse(end, out var endTime) && day is >= 0 and <= 6)
            {
                if (!windows.TryGetValue(key, out var list))
                {
                    windows[key] = list = [];
                }

                list.Add(new OpeningWindow(day, startTime, endTime));
            }
        }

        var stores = new Dictionary<int, StoreInfo>();
        foreach (var (key, id) in connection.Query<(int, string)>("SELECT store_key, store_id FROM stores"))
        {
            stores[key] = new StoreInfo(
                id,
                zones.GetValueOrDefault(key, BusinessHours.DefaultZone),
                windows.TryGetValue(key, out var list) ? new WeeklySchedule(list) : WeeklySchedule.AlwaysOpen);
        }

        return stores;
    }
}
