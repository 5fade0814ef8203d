using System.Data.Common;
using Dapper;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Incidents;

/// <summary>
/// The touched stores' recent polls in two queries, for the derived rows kept current on a poll's
/// write path (incidents, daily rollups): a temporary table of (store, from) joined to store_status.
/// </summary>
internal static class TouchedPolls
{
    /// <summary>
    /// Fills <paramref name="table"/> with each store's <c>from_us</c> (its earliest new poll less
    /// <paramref name="reach"/>) and reads the polls at or after it. The table stays for the
    /// caller's further joins (its incidents) within the transaction.
    /// </summary>
    /// <returns>Per store, its first poll ever (null without any) and the polls read, in order.</returns>
    public static (Dictionary<int, long?> Firsts, Dictionary<int, List<Poll>> Polls) Read(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, string table, IReadOnlyDictionary<int, long> touched, long reach)
    {
        connection.Execute($"CREATE TEMPORARY TABLE IF NOT EXISTS {table} (store_key INT NOT NULL PRIMARY KEY, from_us BIGINT NOT NULL)", transaction: transaction);
        connection.Execute($"DELETE FROM {table}", transaction: transaction);
        using (var insert = new BatchInserter(connection, transaction, "INSERT", table, ["store_key", "from_us"]))
        {
            foreach (var (key, earliest) in touched)
            {
                insert.Add(key, earliest - reach);
            }

            insert.Flush();
        }

        // A plain SELECT, not an UPDATE reading store_status: InnoDB locks the rows (and the gaps
        // after them) that an UPDATE's subquery reads, and on Galera a peer's polls inserted next to
        // them then abort this transaction (1213), even for other stores.
        var firsts = connection.Query<(int Key, long? First)>(
            $"SELECT t.store_key, (SELECT MIN(o.observed_at_us) FROM store_status o WHERE o.store_key = t.store_key) FROM {table} t",
            transaction: transaction).ToDictionary(f => f.Key, f => f.First);
        var polls = new Dictionary<int, List<Poll>>(touched.Count);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT o.store_key, o.observed_at_us, o.active FROM {table} t
            {dialect.OuterFirstJoin} store_status o ON o.store_key = t.store_key AND o.observed_at_us >= t.from_us
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

        return (firsts, polls);
    }
}
