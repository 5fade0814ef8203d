using System.Data.Common;
using System.Runtime.InteropServices;
using Dapper;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Reports.Rollups;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Incidents;

/// <summary>
/// Keeps the stored incidents current as polls arrive: for each store a batch touched, only the
/// incidents from the last up evidence before the new polls onwards are recomputed, and they come
/// out equal to a computation from scratch over all the store's polls.
/// </summary>
/// <remarks>
/// A poll's cover depends on its neighbours up to two polls away, so covers three polls before the
/// earliest new one are unchanged; the latest of those that is up evidence in business time ends
/// every incident before it, so everything before it stands and everything after is recomputed.
/// </remarks>
public sealed partial class IncidentUpdater(
    StoreDatabase database, StoreProfileCache profileCache, IOptions<StoreMonitoringOptions> options, TimeProvider time, ConflictRetry retry,
    IEnumerable<IIncidentObserver> observers)
{
    private const int Context = 64;

    // Past this many stores one ordered read of every poll beats a query per store.
    private const int StreamAbove = 200;

    // How far before a store's earliest new poll the batched path reads, hoping to find up evidence
    // three polls before it: 18 hours reach back over a closed night to the evening before, three
    // days over a closed day, eight over anything weekly; the rest are read on their own, whole.
    private static readonly long[] Windows = [18 * UnixMicros.PerHour, 3 * UnixMicros.PerDay, 8 * UnixMicros.PerDay];

    /// <summary>Recomputes the incidents of the touched stores inside the caller's transaction.</summary>
    /// <param name="touched">Per store key, the earliest poll the batch brought (new or not); null recomputes the store whole.</param>
    /// <param name="bulk">A bulk load (a file): its stores are recomputed whole, in one ordered read when there are many.</param>
    public void Update(
        DbConnection connection, DbTransaction transaction, IReadOnlyDictionary<int, long?> touched, bool bulk = false, IReadOnlyDictionary<int, StoreProfile>? profiles = null)
    {
        if (touched.Count == 0)
        {
            return;
        }

        // First, before anything is read: the transaction's snapshot then starts after the turn.
        TakeTurn(connection, transaction, touched.Keys);
        profiles ??= profileCache.Get(connection, transaction, touched.Keys);
        var settings = options.Value.Estimation;
        var now = UnixMicros.FromDateTimeOffset(time.GetUtcNow());
        // Snapshots are made only for someone to read them.
        var changes = observers.Any() ? new List<(IncidentSnapshot?, IncidentSnapshot?)>() : null;
        StoreProfile Profile(int key) => profiles.TryGetValue(key, out var profile) ? profile : StoreProfile.Unknown(key);
        var whole = touched.Where(t => bulk || t.Value is null).Select(t => t.Key).ToHashSet();
        if (whole.Count > StreamAbove)
        {
            RecomputeWhole(connection, transaction, whole, Profile, settings, now, changes);
        }
        else
        {
            foreach (var key in whole)
            {
                UpdateStore(connection, transaction, Profile(key), earliest: null, settings, now, changes);
            }
        }

        var recent = touched.Where(t => !whole.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value!.Value);
        foreach (var window in Windows)
        {
            if (recent.Count > 0)
            {
                recent = UpdateRecent(connection, transaction, recent, window, Profile, settings, now, changes);
            }
        }

        foreach (var (key, earliest) in recent)
        {
            UpdateStore(connection, transaction, Profile(key), earliest, settings, now, changes);
        }

        // The rollups carry the incidents' counts, so they follow the incidents' writes.
        if (whole.Count <= StreamAbove)
        {
            foreach (var key in whole)
            {
                RollupKeeper.RecomputeWhole(connection, transaction, database.Dialect, Profile(key), settings);
            }
        }

        RollupKeeper.UpdateRecent(connection, transaction, database.Dialect, touched.Where(t => !whole.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value!.Value), Profile, settings);

        if (changes is { Count: > 0 })
        {
            foreach (var observer in observers)
            {
                observer.OnChanged(connection, transaction, changes);
            }
        }
    }

    private static void UpdateStore(
        DbConnection connection, DbTransaction transaction, StoreProfile store, long? earliest, EstimatorSettings settings, long now, List<(IncidentSnapshot?, IncidentSnapshot?)>? changes)
    {
        // earliest null: the store's polls are recomputed from its first one.
        var context = Context;
        while (true)
        {
            var polls = LoadFrom(connection, transaction, store.Key, earliest, context, out var complete);
            var firstNew = earliest is { } from ? FirstAtOrAfter(polls, from) : 0;
            var computed = IncidentFinder.Find(CollectionsMarshal.AsSpan(polls), store, settings, out var upBreaks);

            var anchor = Anchor(upBreaks, firstNew, complete);

            if (anchor < 0 && !complete)
            {
                context *= 4;
                continue;
            }

            // Everything after the anchor's poll (or everything, with no anchor) is replaced.
            long? after = anchor < 0 ? null : polls[anchor].At;
            var fresh = computed.Where(i => after is null || i.Start > after).ToList();
            Replace(connection, transaction, store, after, fresh, now, changes);
            return;
        }
    }

    /// <summary>Recomputes the touched stores' incidents from all their polls, in one ordered read of the table.</summary>
    private void RecomputeWhole(
        DbConnection connection, DbTransaction transaction, HashSet<int> touched, Func<int, StoreProfile> profile,
        EstimatorSettings settings, long now, List<(IncidentSnapshot?, IncidentSnapshot?)>? changes)
    {
        var computed = new Dictionary<int, List<Incident>>();
        var polls = new List<Poll>(1024);
        var current = -1;
        // The rollups come from the same polls and incidents while they are in hand (compact
        // structs), and are written after the read.
        var rollups = RollupKeeper.TakePending();
        void Finish()
        {
            if (current >= 0 && touched.Contains(current))
            {
                var found = IncidentFinder.Find(CollectionsMarshal.AsSpan(polls), profile(current), settings);
                computed[current] = found;
                RollupKeeper.AddWhole(CollectionsMarshal.AsSpan(polls), profile(current), settings, found, rollups);
            }
        }

        var range = new StoreKeyRange(touched.Min(), touched.Max());
        database.Dialect.ReadObservations(connection, long.MaxValue, range, (key, at, active) =>
        {
            if (key != current)
            {
                Finish();
                current = key;
                polls.Clear();
            }

            polls.Add(new Poll(at, active));
        }, transaction);
        Finish();

        var stored = connection.Query<StoredIncident>(
                $"SELECT {StoredIncident.Columns} FROM incidents WHERE store_key BETWEEN @First AND @Last ORDER BY store_key, start_us", range, transaction)
            .Where(i => touched.Contains(i.StoreKey)).GroupBy(i => i.StoreKey).ToDictionary(g => g.Key, g => g.ToList());
        var writes = new IncidentWrites(connection, transaction);
        foreach (var key in touched)
        {
            Replace(profile(key), stored.GetValueOrDefault(key) ?? [], computed.GetValueOrDefault(key) ?? [], now, changes, writes);
            if (!computed.ContainsKey(key))
            {
                // No polls any more: no rows either.
                rollups.Deletes.Add((key, null, profile(key).Zone));
            }
        }

        writes.Apply();
        RollupKeeper.Write(connection, transaction, database.Dialect, rollups);
    }

    /// <summary>The store's polls from <paramref name="context"/> polls before <paramref name="earliest"/> onwards (all when null).</summary>
    private static List<Poll> LoadFrom(DbConnection connection, DbTransaction transaction, int storeKey, long? earliest, int context, out bool complete)
    {
        if (earliest is null)
        {
            complete = true;
            return connection.Query<(long At, long Active)>(
                    "SELECT observed_at_us, active FROM store_status WHERE store_key = @storeKey ORDER BY observed_at_us", new { storeKey }, transaction)
                .Select(p => new Poll(p.At, p.Active != 0)).ToList();
        }

        const string sql = """
            SELECT observed_at_us, active FROM store_status
            WHERE store_key = @storeKey AND observed_at_us >= COALESCE(
                (SELECT observed_at_us FROM store_status WHERE store_key = @storeKey AND observed_at_us < @earliest
                 ORDER BY observed_at_us DESC LIMIT 1 OFFSET @skip), -9223372036854775807)
            ORDER BY observed_at_us
            """;
        var polls = connection.Query<(long At, long Active)>(sql, new { storeKey, earliest, skip = context - 1 }, transaction)
            .Select(p => new Poll(p.At, p.Active != 0)).ToList();
        complete = FirstAtOrAfter(polls, earliest.Value) < context;
        return polls;
    }

    private static void Replace(
        DbConnection connection, DbTransaction transaction, StoreProfile store, long? after, List<Incident> fresh, long now, List<(IncidentSnapshot?, IncidentSnapshot?)>? changes)
    {
        var old = connection.Query<StoredIncident>(
            after is null
                ? $"SELECT {StoredIncident.Columns} FROM incidents WHERE store_key = @storeKey ORDER BY start_us"
                : $"SELECT {StoredIncident.Columns} FROM incidents WHERE store_key = @storeKey AND start_us > @after ORDER BY start_us",
            new { storeKey = store.Key, after }, transaction).ToList();
        var writes = new IncidentWrites(connection, transaction);
        Replace(store, old, fresh, now, changes, writes);
        writes.Apply();
    }

    private static void Replace(
        StoreProfile store, List<StoredIncident> old, List<Incident> fresh, long now, List<(IncidentSnapshot?, IncidentSnapshot?)>? changes, IncidentWrites writes)
    {
        var unused = new List<StoredIncident>(old);
        foreach (var incident in fresh)
        {
            // An incident keeps its id while it overlaps its former self: alerts follow it.
            var match = unused.FirstOrDefault(o => o.StartUs < (incident.End ?? long.MaxValue) && (o.EndUs ?? long.MaxValue) > incident.Start);
            if (match is not null)
            {
                unused.Remove(match);
                if (match.Matches(incident))
                {
                    continue;
                }

                writes.Rewrite(match.IncidentId, store.Key, incident, now);
                changes?.Add((match.Snapshot(store), StoredIncident.From(match.IncidentId, store.Key, incident).Snapshot(store)));
                continue;
            }

            var id = Guid.CreateVersion7().ToString();
            writes.Insert(id, store.Key, incident, now);
            changes?.Add((null, StoredIncident.From(id, store.Key, incident).Snapshot(store)));
        }

        foreach (var gone in unused)
        {
            writes.Delete(gone.IncidentId);
            changes?.Add((gone.Snapshot(store), null));
        }
    }

    private static int FirstAtOrAfter(List<Poll> polls, long instant)
    {
        var index = polls.FindIndex(p => p.At >= instant);
        return index < 0 ? polls.Count : index;
    }
}
