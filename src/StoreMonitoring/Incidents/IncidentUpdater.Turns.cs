using System.Data.Common;
using Dapper;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Incidents;

public sealed partial class IncidentUpdater
{
    private const int StoresPerTurn = 1000;

    /// <summary>
    /// Recomputes the incidents of a file's stores after the file committed, a range of stores per
    /// transaction, each retried when it loses a write conflict. Kept out of the file's own
    /// transaction because that one is long: on a Galera cluster any poll batch for one of its
    /// thousands of stores, committed meanwhile through another node, would make it fail whole.
    /// </summary>
    /// <remarks>
    /// The file's transaction records the stores it owes (<see cref="Owe"/>); each turn deletes its
    /// stores' rows as it recomputes them. A crash in between leaves rows that
    /// <see cref="SettleBacklog"/> recomputes later: no store's incidents stay behind its polls.
    /// </remarks>
    public void UpdateInTurns(DbConnection connection, IReadOnlyDictionary<int, long?> touched, bool bulk, CancellationToken cancellationToken)
    {
        foreach (var keys in touched.Keys.Order().Chunk(StoresPerTurn))
        {
            var batch = keys.ToDictionary(k => k, k => touched[k]);
            retry.Run(
                RetryPolicy.IncidentTurn,
                _ =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var transaction = connection.BeginTransaction();
                    Update(connection, transaction, batch, bulk);
                    connection.Execute("DELETE FROM incident_backlog WHERE store_key IN @keys", new { keys = batch.Keys }, transaction);
                    transaction.Commit();
                    return true;
                },
                cancellationToken: cancellationToken);
        }
    }

    /// <summary>Records, in the transaction that commits an import's polls, that these stores' incidents are owed.</summary>
    public void Owe(DbConnection connection, DbTransaction transaction, IEnumerable<int> storeKeys)
    {
        using var insert = new BatchInserter(connection, transaction, database.Dialect.InsertUnlessPresent("incident_backlog", ["store_key"]), 1, rowsPerStatement: 500);
        foreach (var key in storeKeys)
        {
            insert.Add(key);
        }

        insert.Flush();
    }

    /// <summary>Recomputes, whole, the stores an import owed when it stopped (a crash): how many there were.</summary>
    public int SettleBacklog(DbConnection connection, CancellationToken cancellationToken)
    {
        var owed = connection.Query<int>("SELECT store_key FROM incident_backlog").ToDictionary(k => k, _ => (long?)null);
        if (owed.Count > 0)
        {
            UpdateInTurns(connection, owed, bulk: true, cancellationToken);
        }

        return owed.Count;
    }

    /// <summary>
    /// Bumps the stores' rows, in key order (so two writers lock them in the same order), before
    /// their incidents are read: a recomputation that overlaps another of the same store then waits
    /// for it on one server, or loses the certification and runs again on a cluster, instead of
    /// writing incidents from polls that miss the other's.
    /// </summary>
    private void TakeTurn(DbConnection connection, DbTransaction transaction, IEnumerable<int> storeKeys)
    {
        if (database.Dialect.SerializesWriters)
        {
            return;
        }

        foreach (var chunk in storeKeys.Order().Chunk(500))
        {
            connection.Execute("UPDATE stores SET incidents_rev = incidents_rev + 1 WHERE store_key IN @chunk", new { chunk }, transaction);
        }
    }
}
