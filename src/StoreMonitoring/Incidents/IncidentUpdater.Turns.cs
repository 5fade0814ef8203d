using System.Data.Common;
using Dapper;

namespace StoreMonitoring.Incidents;

public sealed partial class IncidentUpdater
{
    private const int StoresPerTurn = 1000;
    private const int TurnAttempts = 10;

    /// <summary>
    /// Recomputes the incidents of a file's stores after the file committed, a range of stores per
    /// transaction, each retried when it loses a write conflict. Kept out of the file's own
    /// transaction because that one is long: on a Galera cluster any poll batch for one of its
    /// thousands of stores, committed meanwhile through another node, would make it fail whole.
    /// </summary>
    /// <remarks>
    /// A crash between the file's commit and these leaves some stores' incidents behind their
    /// polls; importing the same file again recomputes them (its polls then count as unchanged).
    /// </remarks>
    public void UpdateInTurns(DbConnection connection, IReadOnlyDictionary<int, long> touched, bool bulk, CancellationToken cancellationToken)
    {
        var keys = touched.Keys.Order().ToArray();
        for (var first = 0; first < keys.Length; first += StoresPerTurn)
        {
            var batch = keys.AsSpan(first, Math.Min(StoresPerTurn, keys.Length - first)).ToArray().ToDictionary(k => k, k => touched[k]);
            for (var attempt = 1; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var transaction = connection.BeginTransaction();
                try
                {
                    Update(connection, transaction, batch, bulk);
                    transaction.Commit();
                    break;
                }
                catch (DbException ex) when (attempt < TurnAttempts && database.Dialect.IsLockTimeout(ex))
                {
                    transaction.Rollback();
                    cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 40 * attempt)));
                }
            }
        }
    }

    /// <summary>
    /// Bumps the stores' rows, in key order (so two writers lock them in the same order), before
    /// their incidents are read: a recomputation that overlaps another of the same store then waits
    /// for it on one server, or loses the certification and runs again on a cluster, instead of
    /// writing incidents from polls that miss the other's.
    /// </summary>
    private static void TakeTurn(DbConnection connection, DbTransaction transaction, IEnumerable<int> storeKeys)
    {
        foreach (var chunk in storeKeys.Order().Chunk(500))
        {
            connection.Execute("UPDATE stores SET incidents_rev = incidents_rev + 1 WHERE store_key IN @chunk", new { chunk }, transaction);
        }
    }
}
