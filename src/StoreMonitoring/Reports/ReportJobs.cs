using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Reports;

/// <summary>
/// The report job table: the database is the queue, so jobs survive restarts and several
/// processes share them. Every state change is a conditional UPDATE, so exactly one worker wins;
/// claims, leases and hand-backs follow the one rule of <see cref="LeasedQueue"/>.
/// </summary>
public sealed class ReportJobs(StoreDatabase database, TimeProvider time)
{
    private const string Columns = """
        report_id AS ReportId, status AS StoredStatus, method AS MethodName, requested_now_us AS RequestedNowUs, now_us AS NowUs,
        requested_at_us AS RequestedAtUs, started_at_us AS StartedAtUs, finished_at_us AS FinishedAtUs,
        stores_total AS StoresTotal, stores_done AS StoresDone, attempts AS Attempts, worker AS Worker,
        lease_until_us AS LeaseUntilUs, error AS Error, shards_total AS ShardsTotal, shards_done AS ShardsDone
        """;

    /// <summary>The queue of reports to plan: a job is held by the worker planning it, under a lease.</summary>
    private static readonly LeasedTable Table = LeasedTable.Of(
        "report_jobs", [("report_id", "reportId")], "lease_until_us", ReportStatuses.Stored, ReportStatus.Pending, ReportStatus.Running);

    private readonly LeasedQueue _queue = new(database, time, Table);

    private long Now => _queue.Now;

    public async Task<ReportJob> CreateAsync(EstimationMethod method, long? requestedNow, CancellationToken cancellationToken = default)
    {
        var id = Guid.CreateVersion7(time.GetUtcNow()).ToString();
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO report_jobs (report_id, status, method, requested_now_us, requested_at_us, active_key) VALUES (@id, {ReportStatus.Pending.Sql()}, @method, @requestedNow, @at, @key)",
            new { id, method = method.Name(), requestedNow, at = Now, key = ActiveKey(method, requestedNow) }, cancellationToken: cancellationToken));
        return (await GetAsync(id, cancellationToken))!;
    }

    /// <summary>What identical reports share while queued or running (<c>active_key</c>, unique).</summary>
    public static string ActiveKey(EstimationMethod method, long? requestedNow) =>
        $"{method.Name()}|{(requestedNow is { } now ? now.ToString(System.Globalization.CultureInfo.InvariantCulture) : "latest")}";

    public async Task<ReportJob?> GetAsync(string reportId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ReportJob>(new CommandDefinition(
            $"SELECT {Columns} FROM report_jobs WHERE report_id = @reportId", new { reportId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ReportJob>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ReportJob>(new CommandDefinition(
            $"SELECT {Columns} FROM report_jobs ORDER BY requested_at_us DESC LIMIT @limit", new { limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>
    /// Claims the oldest queued job, or one whose worker's lease ran out. A job whose workers have
    /// died <paramref name="maxAttempts"/> times fails instead of being started again.
    /// </summary>
    public Task<ReportJob?> TryClaimAsync(string worker, TimeSpan lease, int maxAttempts, Action<ReportJob>? onTakeover = null, CancellationToken cancellationToken = default) =>
        _queue.TryClaimAsync(worker, lease, maxAttempts, new ClaimSteps<ReportJob, ReportJob>
        {
            FindAsync = async (connection, now, ct) => await connection.QueryAsync<ReportJob>(new CommandDefinition(
                $"SELECT {Columns} FROM report_jobs WHERE {_queue.Claimable()} ORDER BY requested_at_us LIMIT {LeasedQueue.CandidateLimit}", new { now }, cancellationToken: ct)),
            Row = job => new LeasedRow(new { reportId = job.ReportId }, job.Status == ReportStatus.Running, job.Attempts),
            TakingOver = onTakeover,
            OutOfAttemptsAsync = async (connection, job, now, ct) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE report_jobs SET status = {ReportStatus.Error.Sql()}, finished_at_us = @now, lease_until_us = NULL, error = @message, active_key = NULL WHERE report_id = @id AND {_queue.LeaseRanOut()}",
                    new { id = job.ReportId, now, message = $"The worker computing this report stopped (lease expired) {job.Attempts} time(s) without finishing it, a crash loop; see the service's logs." },
                    cancellationToken: ct));
                await DeleteRowsAsync(connection, job.ReportId, ct);
            },
            AlsoSet = ", started_at_us = @now, stores_done = 0, error = NULL",
            ClaimedAsync = async (connection, job, ct) =>
            {
                // Rows of an attempt abandoned by an earlier version (which saved rows before a
                // report was done) are not this attempt's. Looked for first with a plain read: a
                // DELETE would lock the gap where concurrent reports insert their rows.
                if (await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM report_rows WHERE report_id = @reportId LIMIT 1) t", new { reportId = job.ReportId }, cancellationToken: ct)) > 0)
                {
                    await DeleteRowsAsync(connection, job.ReportId, ct);
                }

                return await GetAsync(job.ReportId, ct);
            },
        }, cancellationToken);

    /// <summary>Extends the lease; false when another worker has taken the job over.</summary>
    public Task<bool> RenewLeaseAsync(string reportId, string worker, TimeSpan lease, CancellationToken cancellationToken = default) =>
        _queue.RenewAsync(new { reportId }, worker, lease, cancellationToken);

    /// <param name="now">The windows' end; null when there is no poll to end them at (an empty report), never a stand-in such as 0, which would read as 1970.</param>
    internal async Task SetScopeAsync(DbConnection connection, string reportId, string worker, long? now, int total, CancellationToken cancellationToken) =>
        EnsureOwned(await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE report_jobs SET now_us = @now, stores_total = @total WHERE {_queue.Owned}", new { reportId, worker, now, total }, cancellationToken: cancellationToken)));

    internal async Task CompleteAsync(DbConnection connection, DbTransaction? transaction, string reportId, string worker, int stores) =>
        EnsureOwned(await connection.ExecuteAsync(
            $"UPDATE report_jobs SET status = {ReportStatus.Complete.Sql()}, stores_done = @stores, stores_total = @stores, finished_at_us = @now, lease_until_us = NULL, active_key = NULL WHERE {_queue.Owned}",
            new { reportId, worker, stores, now = Now }, transaction));

    /// <summary>Fails the job for good (while this worker plans it).</summary>
    public async Task FailAsync(string reportId, string worker, string message)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var failed = await connection.ExecuteAsync(
            $"UPDATE report_jobs SET status = {ReportStatus.Error.Sql()}, error = @message, finished_at_us = @now, lease_until_us = NULL, active_key = NULL WHERE {_queue.Owned}",
            new { reportId, worker, message, now = Now });
        if (failed == 1)
        {
            await DeleteRowsAsync(connection, reportId, CancellationToken.None);
        }
    }

    /// <summary>
    /// Gives a job back to the queue when this worker stops before finishing it (a shutdown, not a
    /// failure): its attempt is not counted, and any worker can start it again at once.
    /// </summary>
    public async Task HandBackAsync(string reportId, string worker)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var returned = await _queue.HandBackAsync(connection, new { reportId }, worker, ", stores_done = 0");
        if (returned)
        {
            await DeleteRowsAsync(connection, reportId, CancellationToken.None);
        }
    }

    /// <summary>Streams a finished report's rows in store-id order.</summary>
    public async IAsyncEnumerable<StoreReportRow> ReadRowsAsync(string reportId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var row in ReportRows.ReadAsync(connection, reportId, cancellationToken))
        {
            yield return row;
        }
    }

    private static Task<int> DeleteRowsAsync(DbConnection connection, string reportId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("DELETE FROM report_rows WHERE report_id = @reportId", new { reportId }, cancellationToken: cancellationToken));

    private static void EnsureOwned(int changed)
    {
        if (changed != 1)
        {
            throw new ReportLeaseLostException();
        }
    }
}
