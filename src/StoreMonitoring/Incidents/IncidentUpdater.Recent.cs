using System.Data.Common;
using System.Runtime.InteropServices;
using Dapper;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Incidents;

/// <summary>The batched path: every touched store's recent polls and incidents in a few queries.</summary>
public sealed partial class IncidentUpdater
{
    /// <summary>
    /// The usual case, polls arriving as they are made: every touched store's recent polls and
    /// incidents in two queries, recomputed from up evidence found in them; a store without any
    /// there is recomputed on its own.
    /// </summary>
    /// <returns>The stores left without up evidence in the window, for a wider one.</returns>
    private Dictionary<int, long> UpdateRecent(
        DbConnection connection, DbTransaction transaction, Dictionary<int, long> touched, long window, Func<int, StoreProfile> profile,
        EstimatorSettings settings, long now, List<(IncidentSnapshot?, IncidentSnapshot?)>? changes)
    {
        var (firsts, polls) = TouchedPolls.Read(connection, transaction, database.Dialect, "touched_stores", touched, window);

        var stored = connection.Query<StoredIncident>(
            $"SELECT {StoredIncident.ColumnsOf("i")} FROM touched_stores t {database.Dialect.OuterFirstJoin} incidents i ON i.store_key = t.store_key AND i.start_us > t.from_us",
            transaction: transaction).GroupBy(i => i.StoreKey).ToDictionary(g => g.Key, g => g.OrderBy(i => i.StartUs).ToList());

        var unresolved = new Dictionary<int, long>();
        var writes = new IncidentWrites(connection, transaction);
        foreach (var (key, earliest) in touched)
        {
            var store = profile(key);
            var loaded = polls.GetValueOrDefault(key) ?? [];
            var complete = firsts.GetValueOrDefault(key) is not { } first || (loaded.Count > 0 && loaded[0].At == first);
            var computed = IncidentFinder.Find(CollectionsMarshal.AsSpan(loaded), store, settings, out var upBreaks);
            var anchor = Anchor(upBreaks, FirstAtOrAfter(loaded, earliest), complete);
            if (anchor < 0 && !complete)
            {
                unresolved[key] = earliest;
                continue;
            }

            long? after = anchor < 0 ? null : loaded[anchor].At;
            var old = (stored.GetValueOrDefault(key) ?? []).Where(i => after is null || i.StartUs > after).ToList();
            if (anchor < 0)
            {
                // Complete but without an anchor: the store's incidents may start before the window.
                old = [.. connection.Query<StoredIncident>($"SELECT {StoredIncident.Columns} FROM incidents WHERE store_key = @key", new { key }, transaction)];
            }

            Replace(store, old, [.. computed.Where(i => after is null || i.Start > after)], now, changes, writes);
        }

        writes.Apply();
        return unresolved;
    }

    // The latest up evidence at least three polls before the first new one, among polls whose
    // covers are trusted (two in from a cut, or any when the store's history is whole).
    private static int Anchor(bool[] upBreaks, int firstNew, bool complete)
    {
        for (var i = firstNew - 3; i >= (complete ? 0 : 2); i--)
        {
            if (upBreaks[i])
            {
                return i;
            }
        }

        return -1;
    }
}
