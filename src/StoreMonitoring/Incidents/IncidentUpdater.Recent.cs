using System.Data.Common;
using System.Runtime.InteropServices;
using Dapper;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
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
        connection.Execute("CREATE TEMPORARY TABLE IF NOT EXISTS touched_stores (store_key INT NOT NULL PRIMARY KEY, from_us BIGINT NOT NULL, first_us BIGINT NULL)", transaction: transaction);
        connection.Execute("DELETE FROM touched_stores", transaction: transaction);
        using (var insert = new BatchInserter(connection, transaction, "INSERT", "touched_stores", ["store_key", "from_us"]))
        {
            foreach (var (key, earliest) in touched)
            {
                insert.Add(key, earliest - window);
            }

            insert.Flush();
        }

        // A plain SELECT, not an UPDATE reading store_status: InnoDB locks the rows (and the gaps
        // after them) that an UPDATE's subquery reads, and on Galera a peer's polls inserted next to
        // them then abort this transaction (1213), even for other stores.
        var firsts = connection.Query<(int Key, long? First)>(
            "SELECT t.store_key, (SELECT MIN(o.observed_at_us) FROM store_status o WHERE o.store_key = t.store_key) FROM touched_stores t",
            transaction: transaction).ToDictionary(f => f.Key, f => f.First);
        var polls = new Dictionary<int, List<Poll>>(touched.Count);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT o.store_key, o.observed_at_us, o.active FROM touched_stores t
                {database.Dialect.OuterFirstJoin} store_status o ON o.store_key = t.store_key AND o.observed_at_us >= t.from_us
                ORDER BY t.store_key, o.observed_at_us
                """;
            using var reader = command.ExecuteReader();
            List<Poll>? current = null;
            var currentKey = -1;
            while (reader.Read())
            {
                var key = reader.GetInt32(0);
                if (key != currentKey)
                {
                    polls[key] = current = [];
                    currentKey = key;
                }

                current!.Add(new Poll(reader.GetInt64(1), reader.GetInt64(2) != 0));
            }
        }

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

            var after = anchor < 0 ? long.MinValue : loaded[anchor].At;
            var old = (stored.GetValueOrDefault(key) ?? []).Where(i => i.StartUs > after).ToList();
            if (anchor < 0)
            {
                // Complete but without an anchor: the store's incidents may start before the window.
                old = [.. connection.Query<StoredIncident>($"SELECT {StoredIncident.Columns} FROM incidents WHERE store_key = @key", new { key }, transaction)];
            }

            Replace(store, old, [.. computed.Where(i => i.Start > after)], now, changes, writes);
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
