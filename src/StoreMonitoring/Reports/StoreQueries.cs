using Dapper;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>A store's state at an instant, for lists: what the interpolating method says just before it, and its last poll.</summary>
public sealed record StoreState(StoreProfile Store, TimelineState State, bool OpenNow, Poll? LastPoll);

/// <summary>One store as its page shows it: figures for the three windows ending at <see cref="Now"/>, and its state then.</summary>
public sealed record StoreView(StoreProfile Store, long Now, EstimationMethod Method, StoreUptime Uptime, TimelineState State, bool OpenNow, Poll? LastPoll);

/// <summary>Reads one store, or every store's current state, for the live views.</summary>
public sealed class StoreQueries(
    StoreDatabase database, ReportCalculator calculator, StoreProfileCache profileCache, TimeProvider time, IOptions<StoreMonitoringOptions> options)
{
    /// <summary>The latest poll over all stores, as for reports, or the clock when there is none.</summary>
    public async Task<long> DefaultNowAsync(CancellationToken cancellationToken = default) =>
        await calculator.LatestObservationAsync(cancellationToken) ?? UnixMicros.FromDateTimeOffset(time.GetUtcNow());

    /// <summary>
    /// One store at <paramref name="now"/> (default: <see cref="DefaultNowAsync"/>), with the
    /// figures its row of a report with the same now and method has: the same computation.
    /// </summary>
    public async Task<StoreView?> ViewAsync(string storeId, long? now, EstimationMethod method, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(storeId, cancellationToken) is not { } store)
        {
            return null;
        }

        var at = now ?? await DefaultNowAsync(cancellationToken);
        var polls = (await PollsAsync(store.Key, long.MinValue, at, cancellationToken)).ToArray();
        var settings = options.Value.Estimation;
        return new StoreView(
            store, at, method, StoreReport.Compute(polls, store, new ReportWindows(at), method, settings), StoreTimeline.StateAt(polls, store, at, settings),
            BusinessHours.IsOpen(store.Schedule, store.Zone, at), polls.Length > 0 ? polls[^1] : null);
    }

    /// <summary>One store's profile, or null for an id never seen.</summary>
    public async Task<StoreProfile?> FindAsync(string storeId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var key = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT store_key FROM stores WHERE store_id = @storeId", new { storeId }, cancellationToken: cancellationToken));
        if (key is null)
        {
            return null;
        }

        var zone = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT timezone_str FROM store_timezones WHERE store_key = @key", new { key }, cancellationToken: cancellationToken));
        var windows = await connection.QueryAsync<(long Day, string Start, string End)>(new CommandDefinition(
            "SELECT day_of_week, start_local, end_local FROM business_hours WHERE store_key = @key ORDER BY day_of_week, start_local", new { key }, cancellationToken: cancellationToken));
        var opening = windows
            .Where(w => LocalTimeText.TryParse(w.Start, out _) && LocalTimeText.TryParse(w.End, out _) && w.Day is >= 0 and <= 6)
            .Select(w => new OpeningWindow((int)w.Day, Parse(w.Start), Parse(w.End))).ToList();
        return new StoreProfile(key.Value, storeId, BusinessHours.ZoneOrDefault(zone), opening.Count == 0 ? WeeklySchedule.AlwaysOpen : new WeeklySchedule(opening));
    }

    /// <summary>The store's polls in [<paramref name="from"/>, <paramref name="to"/>], oldest first.</summary>
    public async Task<List<Poll>> PollsAsync(int storeKey, long from, long to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. (await connection.QueryAsync<(long At, long Active)>(new CommandDefinition(
                "SELECT observed_at_us, active FROM store_status WHERE store_key = @storeKey AND observed_at_us >= @from AND observed_at_us <= @to ORDER BY observed_at_us",
                new { storeKey, from, to }, cancellationToken: cancellationToken)))
            .Select(p => new Poll(p.At, p.Active != 0))];
    }

    /// <summary>
    /// The polls a report or timeline ending at <paramref name="to"/> needs: those since its week
    /// began (less two horizons), and the latest one before.
    /// </summary>
    public async Task<List<Poll>> RecentPollsAsync(int storeKey, long to, CancellationToken cancellationToken = default)
    {
        var cutoff = new ReportWindows(to).WeekStart - 2 * options.Value.Estimation.HorizonMicros;
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            SELECT observed_at_us, active FROM store_status
            WHERE store_key = @storeKey AND observed_at_us <= @to AND observed_at_us >= COALESCE(
                (SELECT MAX(observed_at_us) FROM store_status WHERE store_key = @storeKey AND observed_at_us < @cutoff), @cutoff)
            ORDER BY observed_at_us
            """;
        return [.. (await connection.QueryAsync<(long At, long Active)>(new CommandDefinition(sql, new { storeKey, to, cutoff }, cancellationToken: cancellationToken)))
            .Select(p => new Poll(p.At, p.Active != 0))];
    }

    // A state is decided by the covers of the polls around now, and a poll's cover by its neighbours
    // up to two polls away (PollCover): the last eight polls at or before now decide it with room.
    private const int Tail = 8;

    /// <summary>
    /// Every store's state at <paramref name="now"/>, ordered by store id. Only each store's last
    /// <see cref="Tail"/> polls at or before <paramref name="now"/> are read (an index seek and a
    /// short range per store), whatever the history or poll rate: the state comes from those of
    /// them whose reach can hold now, the last poll is the last of them.
    /// </summary>
    public async Task<List<StoreState>> StatesAsync(long now, CancellationToken cancellationToken = default)
    {
        var settings = options.Value.Estimation;
        var from = now - Math.Max(UnixMicros.PerDay, 2 * settings.HorizonMicros) - UnixMicros.PerDay;
        await using var connection = await database.OpenAsync(cancellationToken);
        // Every registered store, including any a poll batch added since the profiles were cached.
        var keys = await connection.QueryAsync<int>(new CommandDefinition("SELECT store_key FROM stores", cancellationToken: cancellationToken));
        var profiles = profileCache.Get(connection, null, keys);
        var polls = (await connection.QueryAsync<(int Key, long At, long Active)>(new CommandDefinition(
                $"""
                SELECT o.store_key, o.observed_at_us, o.active FROM stores s
                {database.Dialect.OuterFirstJoin} store_status o ON o.store_key = s.store_key AND o.observed_at_us <= @now AND o.observed_at_us >= COALESCE(
                    (SELECT x.observed_at_us FROM store_status x WHERE x.store_key = s.store_key AND x.observed_at_us <= @now
                     ORDER BY x.observed_at_us DESC LIMIT 1 OFFSET @skip), -9223372036854775807)
                ORDER BY s.store_key, o.observed_at_us
                """, new { now, skip = Tail - 1 }, cancellationToken: cancellationToken)))
            .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Select(p => new Poll(p.At, p.Active != 0)).ToArray());
        return [.. profiles.Values
            .Select(store =>
            {
                var tail = polls.GetValueOrDefault(store.Key) ?? [];
                // The same polls the two-day window gave, less those more than the tail back.
                var recent = tail.AsSpan(StoreReport.FirstAtOrAfter(tail, from));
                return new StoreState(store, StoreTimeline.StateAt(recent, store, now, settings), BusinessHours.IsOpen(store.Schedule, store.Zone, now), tail.Length > 0 ? tail[^1] : null);
            })
            .OrderBy(s => s.Store.StoreId, StringComparer.Ordinal)];
    }

    private static NodaTime.LocalTime Parse(string text) => LocalTimeText.TryParse(text, out var time) ? time : default;
}
