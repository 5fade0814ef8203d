using System.Data.Common;
using Dapper;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

public static class ReportStatus
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Complete = "Complete";
    public const string Error = "Error";
}

/// <summary>A row of <c>report_jobs</c>.</summary>
public sealed class ReportJob
{
    public required string ReportId { get; init; }

    public required string Status { get; init; }

    public required string Method { get; init; }

    public long? RequestedNowUs { get; init; }

    public long? NowUs { get; init; }

    public long RequestedAtUs { get; init; }

    public long? StartedAtUs { get; init; }

    public long? FinishedAtUs { get; init; }

    public int StoresTotal { get; init; }

    public int StoresDone { get; init; }

    public int Attempts { get; init; }

    public string? Worker { get; init; }

    public long? LeaseUntilUs { get; init; }

    public string? Error { get; init; }

    public double Progress => Status == ReportStatus.Complete ? 1 : StoresTotal == 0 ? 0 : Math.Min(1, (double)StoresDone / StoresTotal);
}

/// <summary>
/// The report job table: the database is the queue, so jobs survive restarts and several
/// processes share them. Every state change is a conditional UPDATE, so exactly one worker wins.
/// </summary>
public sealed class ReportJobs(StoreDatabase database, TimeProvider time)
{
    private const string Columns = """
        report_id AS ReportId, status AS Status, method AS Method, requested_now_us AS RequestedNowUs, now_us AS NowUs,
        requested_at_us AS RequestedAtUs, started_at_us AS StartedAtUs, finished_at_us AS FinishedAtUs,
        stores_total AS StoresTotal, stores_done AS StoresDone, attempts AS Attempts, worker AS Worker,
        lease_until_us AS LeaseUntilUs, error AS Error
        """;

    private long Now => UnixMicros.FromDateTimeOffset(time.GetUtcNow());

    public async Task<ReportJob> CreateAsync(EstimationMethod method, long? requestedNow, CancellationToken cancellationToken = default)
    {
        var id = Guid.CreateVersion7(time.GetUtcNow()).ToString();
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO report_jobs (report_id, status, method, requested_now_us, requested_at_us) VALUES (@id, @status, @method, @requestedNow, @at)",
            new { id, status = ReportStatus.Pending, method = method.Name(), requestedNow, at = Now }, cancellationToken: cancellationToken));
        return (await GetAsync(id, cancellationToken))!;
    }

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
    /// Claims the oldest queued job, or one whose worker's lease ran out. A job that has already
    /// used up its attempts fails instead of being started again.
    /// </summary>
    public async Task<ReportJob?> TryClaimAsync(string worker, TimeSpan lease, int maxAttempts, Action<ReportJob>? onTakeover = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Now;
        var candidates = await connection.QueryAsync<ReportJob>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM report_jobs
            WHERE status = @pending OR (status = @running AND lease_until_us < @now)
            ORDER BY requested_at_us LIMIT 10
            """,
            new { pending = ReportStatus.Pending, running = ReportStatus.Running, now }, cancellationToken: cancellationToken));

        foreach (var job in candidates)
        {
            if (job.Status == ReportStatus.Running)
            {
                onTakeover?.Invoke(job);
                if (job.Attempts >= maxAttempts)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        """
                        UPDATE report_jobs SET status = @error, finished_at_us = @now, lease_until_us = NULL,
                            error = @message
                        WHERE report_id = @id AND status = @running AND lease_until_us < @now
                        """,
                        new
                        {
                            id = job.ReportId, error = ReportStatus.Error, running = ReportStatus.Running, now,
                            message = $"The worker computing this report stopped (lease expired) after {job.Attempts} attempt(s).",
                        },
                        cancellationToken: cancellationToken));
                    continue;
                }
            }

            var claimed = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE report_jobs
                SET status = @running, worker = @worker, lease_until_us = @leaseUntil, attempts = attempts + 1,
                    started_at_us = @now, stores_done = 0, error = NULL
                WHERE report_id = @id AND (status = @pending OR (status = @running AND lease_until_us < @now))
                """,
                new
                {
                    id = job.ReportId, running = ReportStatus.Running, pending = ReportStatus.Pending, worker, now,
                    leaseUntil = now + (long)lease.TotalMicroseconds,
                },
                cancellationToken: cancellationToken));
            if (claimed == 1)
            {
                // Rows from an earlier, abandoned attempt are not this attempt's.
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM report_rows WHERE report_id = @id", new { id = job.ReportId }, cancellationToken: cancellationToken));
                return await GetAsync(job.ReportId, cancellationToken);
            }
        }

        return null;
    }

    /// <summary>Extends the lease; false when another worker has taken the job over.</summary>
    public async Task<bool> HeartbeatAsync(string reportId, string worker, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE report_jobs SET lease_until_us = @leaseUntil WHERE report_id = @reportId AND worker = @worker AND status = @running",
            new { reportId, worker, running = ReportStatus.Running, leaseUntil = Now + (long)lease.TotalMicroseconds }, cancellationToken: cancellationToken)) == 1;
    }

    internal void SetScope(DbConnection connection, string reportId, string worker, long now, int total, TimeSpan lease) =>
        EnsureOwned(connection.Execute(
            "UPDATE report_jobs SET now_us = @now, stores_total = @total, lease_until_us = @leaseUntil WHERE report_id = @reportId AND worker = @worker AND status = @running",
            new { reportId, worker, now, total, running = ReportStatus.Running, leaseUntil = Now + (long)lease.TotalMicroseconds }));

    /// <summary>Saves a batch of rows and the progress in one transaction, only while this worker owns the job.</summary>
    internal void SaveBatch(DbConnection connection, string reportId, string worker, int done, IReadOnlyList<StoreReportRow> rows, TimeSpan lease)
    {
        using var transaction = connection.BeginTransaction();
        EnsureOwned(connection.Execute(
            "UPDATE report_jobs SET stores_done = @done, lease_until_us = @leaseUntil WHERE report_id = @reportId AND worker = @worker AND status = @running",
            new { reportId, worker, done, running = ReportStatus.Running, leaseUntil = Now + (long)lease.TotalMicroseconds }, transaction));
        using (var insert = new BatchInserter(connection, transaction, "INSERT", "report_rows", RowColumns, rowsPerStatement: 100))
        {
            foreach (var row in rows)
            {
                var (h, d, w) = (row.Uptime.LastHour, row.Uptime.LastDay, row.Uptime.LastWeek);
                insert.Add(reportId, row.StoreId,
                    h.Uptime, h.Downtime, h.Business, h.EstimatedUptime, h.Polls,
                    d.Uptime, d.Downtime, d.Business, d.EstimatedUptime, d.Polls,
                    w.Uptime, w.Downtime, w.Business, w.EstimatedUptime, w.Polls);
            }

            insert.Flush();
        }

        transaction.Commit();
    }

    internal void Complete(DbConnection connection, string reportId, string worker, int stores) =>
        EnsureOwned(connection.Execute(
            """
            UPDATE report_jobs SET status = @complete, stores_done = @stores, stores_total = @stores, finished_at_us = @now, lease_until_us = NULL
            WHERE report_id = @reportId AND worker = @worker AND status = @running
            """,
            new { reportId, worker, stores, complete = ReportStatus.Complete, running = ReportStatus.Running, now = Now }));

    public async Task FailAsync(string reportId, string worker, string message)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            UPDATE report_jobs SET status = @error, error = @message, finished_at_us = @now, lease_until_us = NULL
            WHERE report_id = @reportId AND worker = @worker AND status = @running
            """,
            new { reportId, worker, message, error = ReportStatus.Error, running = ReportStatus.Running, now = Now });
    }

    /// <summary>Streams a finished report's rows in store-id order.</summary>
    public async IAsyncEnumerable<StoreReportRow> ReadRowsAsync(string reportId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT store_id, {string.Join(", ", RowColumns.Skip(2))} FROM report_rows WHERE report_id = @reportId ORDER BY store_id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@reportId";
        parameter.Value = reportId;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new StoreReportRow(reader.GetString(0), new StoreUptime(ReadWindow(reader, 1), ReadWindow(reader, 6), ReadWindow(reader, 11)));
        }
    }

    private static WindowUptime ReadWindow(DbDataReader reader, int first)
    {
        var up = reader.GetInt64(first);
        var down = reader.GetInt64(first + 1);
        var business = reader.GetInt64(first + 2);
        return new WindowUptime(up, down, business - up - down, business, (int)reader.GetInt64(first + 4), reader.GetInt64(first + 3));
    }

    private static readonly string[] RowColumns =
    [
        "report_id", "store_id",
        "hour_up", "hour_down", "hour_business", "hour_est_up", "hour_polls",
        "day_up", "day_down", "day_business", "day_est_up", "day_polls",
        "week_up", "week_down", "week_business", "week_est_up", "week_polls",
    ];

    private static void EnsureOwned(int changed)
    {
        if (changed != 1)
        {
            throw new ReportLeaseLostException();
        }
    }
}

/// <summary>Another worker took the job over: this one must stop writing to it.</summary>
public sealed class ReportLeaseLostException() : InvalidOperationException("This worker no longer owns the report job (its lease expired and another worker took it over).");
