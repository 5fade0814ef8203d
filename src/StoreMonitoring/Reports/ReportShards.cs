using System.Data.Common;
using Dapper;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Reports;

/// <summary>A shard a worker has claimed: a range of stores of one running report, under its own lease.</summary>
public sealed record ClaimedShard(string ReportId, int Shard, StoreKeyRange Stores, string MethodName, long NowUs, long StartedAtUs, int Attempts);

/// <summary>
/// The <c>report_shards</c> table: a planned report's stores in ranges that any instance's worker
/// claims with a lease of its own, so several processes compute one report together. A shard's
/// rows are saved in the transaction that completes it (no partial rows, ever), and the transaction
/// that completes the last shard completes the report.
/// </summary>
/// <remarks>
/// Two nodes of a Galera cluster may both accept the same claim or the same completion; the loser's
/// commit fails with a deadlock error. Claims skip to the next shard; completions are retried,
/// since every completion also counts itself on the report's row and so conflicts with the others.
/// </remarks>
public sealed class ReportShards(StoreDatabase database, TimeProvider time)
{
    /// <summary>The queue of shards to compute: a shard is held by the worker computing it, under a lease of its own.</summary>
    private static readonly LeasedTable Table = LeasedTable.Of(
        "report_shards", [("report_id", "ReportId"), ("shard", "Shard")], "lease_until_us", ReportStatuses.Stored, ReportStatus.Pending, ReportStatus.Running);

    private readonly LeasedQueue _queue = new(database, time, Table);

    private static readonly string Running = ReportStatus.Running.Sql();

    private long Now => _queue.Now;

    /// <summary>Splits a report's stores into consecutive ranges of at most <paramref name="storesPerShard"/> stores, covering every key.</summary>
    public static IReadOnlyList<StoreKeyRange> Split(IReadOnlyList<int> storeKeys, int storesPerShard)
    {
        var shards = new List<StoreKeyRange>((storeKeys.Count + storesPerShard - 1) / storesPerShard);
        for (var first = 0; first < storeKeys.Count; first += storesPerShard)
        {
            var next = first + storesPerShard;
            // The outer shards reach the ends of the key space, so a store that gets its first poll
            // while the report runs falls in a shard exactly as it would in one read of the table.
            shards.Add(new StoreKeyRange(
                first == 0 ? int.MinValue : storeKeys[first],
                next >= storeKeys.Count ? int.MaxValue : storeKeys[next] - 1));
        }

        return shards;
    }

    /// <summary>Writes the plan of a report this worker claimed: its end of windows, its stores and its shards.</summary>
    internal async Task PlanAsync(DbConnection connection, string reportId, string worker, long now, int stores, IReadOnlyList<StoreKeyRange> shards, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var planned = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE report_jobs SET now_us = @now, stores_total = @stores, stores_done = 0, shards_total = @count, shards_done = 0, lease_until_us = NULL
            WHERE report_id = @reportId AND worker = @worker AND status = {Running}
            """,
            new { reportId, worker, now, stores, count = shards.Count }, transaction, cancellationToken: cancellationToken));
        if (planned != 1)
        {
            throw new ReportLeaseLostException();
        }

        using (var insert = new BatchInserter(connection, transaction, "INSERT", "report_shards", ["report_id", "shard", "first_key", "last_key", "status"], rowsPerStatement: 200))
        {
            for (var i = 0; i < shards.Count; i++)
            {
                insert.Add(reportId, i, shards[i].First, shards[i].Last, ReportStatus.Pending.Name());
            }

            insert.Flush();
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Claims the first open shard of the oldest running report, or one whose worker's lease ran out.
    /// A shard whose workers died <paramref name="maxAttempts"/> times fails its report instead.
    /// </summary>
    public Task<ClaimedShard?> TryClaimAsync(string worker, TimeSpan lease, int maxAttempts, CancellationToken cancellationToken = default) =>
        _queue.TryClaimAsync(worker, lease, maxAttempts, new ClaimSteps<Candidate, ClaimedShard>
        {
            FindAsync = (connection, now, ct) => connection.QueryAsync<Candidate>(new CommandDefinition(
                $"""
                SELECT s.report_id AS ReportId, s.shard AS Shard, s.first_key AS FirstKey, s.last_key AS LastKey, s.status AS Status, s.attempts AS Attempts,
                       j.method AS Method, j.now_us AS NowUs, j.started_at_us AS StartedAtUs
                FROM report_shards s JOIN report_jobs j ON j.report_id = s.report_id
                WHERE j.status = {Running} AND {_queue.Claimable("s")}
                ORDER BY j.requested_at_us, s.shard LIMIT {LeasedQueue.CandidateLimit}
                """,
                new { now }, cancellationToken: ct)),
            Row = c => new LeasedRow(new { c.ReportId, c.Shard }, ReportStatuses.Stored.Parse(c.Status) == ReportStatus.Running, c.Attempts),
            // The shard's report fails: its rows would never be complete.
            OutOfAttemptsAsync = (connection, c, _, _) =>
                FailAsync(connection, c.ReportId, $"The worker computing part of this report stopped (lease expired) {c.Attempts} time(s) without finishing it, a crash loop; see the service's logs."),
            ClaimedAsync = (_, c, _) => Task.FromResult<ClaimedShard?>(
                new ClaimedShard(c.ReportId, c.Shard, new StoreKeyRange(c.FirstKey, c.LastKey), c.Method, c.NowUs, c.StartedAtUs, c.Attempts + 1)),
        }, cancellationToken);

    /// <summary>Extends the lease; false when another worker has taken the shard over.</summary>
    public Task<bool> RenewLeaseAsync(ClaimedShard shard, string worker, TimeSpan lease, CancellationToken cancellationToken = default) =>
        _queue.RenewAsync(new { shard.ReportId, shard.Shard }, worker, lease, cancellationToken);

    /// <summary>
    /// Saves a computed shard: its rows, its completion and the report's progress, in the caller's
    /// transaction. Returns the report's store count when this was its last shard (the report is
    /// then complete), else null.
    /// </summary>
    /// <exception cref="ReportLeaseLostException">The shard was taken over, or the report failed meanwhile.</exception>
    internal async Task<int?> CompleteAsync(DbConnection connection, DbTransaction transaction, ClaimedShard shard, string worker, IReadOnlyList<StoreReportRow> rows, CancellationToken cancellationToken)
    {
        var now = Now;
        var parameters = new { shard.ReportId, shard.Shard, worker, now, stores = rows.Count };
        EnsureOne(await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE report_shards SET status = {ReportStatus.Complete.Sql()}, lease_until_us = NULL, stores = @stores, finished_at_us = @now WHERE {_queue.Owned}",
            parameters, transaction, cancellationToken: cancellationToken)));
        // Every completion writes the report's row: concurrent ones take turns on it (a row lock on
        // one server, a certification conflict and a retry on a cluster), so exactly one sees the last.
        EnsureOne(await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE report_jobs SET stores_done = stores_done + @stores, shards_done = shards_done + 1 WHERE report_id = @ReportId AND status = {Running}",
            parameters, transaction, cancellationToken: cancellationToken)));
        using (var insert = new BatchInserter(connection, transaction, "INSERT", "report_rows", ReportRows.Columns, rowsPerStatement: 100))
        {
            foreach (var row in rows)
            {
                insert.Add(ReportRows.Values(shard.ReportId, row));
            }

            insert.Flush();
        }

        var (done, total, stores) = await connection.QuerySingleAsync<(int, int, int)>(new CommandDefinition(
            "SELECT shards_done, shards_total, stores_done FROM report_jobs WHERE report_id = @ReportId", parameters, transaction, cancellationToken: cancellationToken));
        if (done < total)
        {
            return null;
        }

        EnsureOne(await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE report_jobs SET status = {ReportStatus.Complete.Sql()}, stores_total = @stores, finished_at_us = @now, lease_until_us = NULL, active_key = NULL WHERE report_id = @ReportId AND status = {Running}",
            new { shard.ReportId, stores, now }, transaction, cancellationToken: cancellationToken)));
        return stores;
    }

    /// <summary>
    /// Gives a shard back when this worker stops before finishing it (a shutdown, not a failure): its
    /// attempt is not counted, and any worker can take it at once.
    /// </summary>
    public async Task HandBackAsync(ClaimedShard shard, string worker)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await _queue.HandBackAsync(connection, new { shard.ReportId, shard.Shard }, worker);
    }

    /// <summary>Fails the shard's report for good, with the rows its other shards saved.</summary>
    public async Task FailAsync(ClaimedShard shard, string message)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await FailAsync(connection, shard.ReportId, message);
    }

    private async Task FailAsync(DbConnection connection, string reportId, string message)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        var failed = await connection.ExecuteAsync(
            $"UPDATE report_jobs SET status = {ReportStatus.Error.Sql()}, error = @message, finished_at_us = @now, lease_until_us = NULL, active_key = NULL WHERE report_id = @reportId AND status = {Running}",
            new { reportId, message, now = Now }, transaction);
        if (failed == 1)
        {
            await connection.ExecuteAsync("DELETE FROM report_rows WHERE report_id = @reportId", new { reportId }, transaction);
        }

        await transaction.CommitAsync();
    }

    private sealed class Candidate
    {
        public string ReportId { get; init; } = "";

        public int Shard { get; init; }

        public int FirstKey { get; init; }

        public int LastKey { get; init; }

        public string Status { get; init; } = "";

        public int Attempts { get; init; }

        public string Method { get; init; } = "";

        public long NowUs { get; init; }

        public long StartedAtUs { get; init; }
    }

    private static void EnsureOne(int changed)
    {
        if (changed != 1)
        {
            throw new ReportLeaseLostException();
        }
    }
}
