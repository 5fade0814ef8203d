using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>
/// Runs what a worker claimed: plans a queued report (its end of windows and its shards), or
/// computes one shard and saves it, completing the report when it was the last. A shutdown hands
/// the work back; a database error leaves it to its lease (another worker, maybe on another node,
/// takes it over); any other failure fails the report.
/// </summary>
public sealed class ReportJobRunner(
    StoreDatabase database,
    ReportJobs jobs,
    ReportShards shards,
    ReportCalculator calculator,
    ConflictRetry retry,
    TimeProvider time,
    IOptions<StoreMonitoringOptions> options,
    ILogger<ReportJobRunner> logger,
    Telemetry.StoreMonitoringMetrics metrics,
    IEnumerable<IReportObserver> observers)
{
    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.Reports.LeaseSeconds);

    public async Task PlanAsync(ReportJob job, string worker, CancellationToken stopping)
    {
        Log.ReportStarted(logger, job.ReportId, worker);
        await using var keeper = LeaseKeeper.Start(ct => jobs.RenewLeaseAsync(job.ReportId, worker, Lease, ct), Lease, time, stopping);
        try
        {
            // A method this version does not know (a newer instance queued it) fails the job here, before anything is written.
            if (!EstimationMethods.TryParse(job.MethodName, out _))
            {
                metrics.ReportFinished(job.MethodName, ReportStatus.Error.Name(), TimeSpan.Zero);
                // The stored name is not repeated: the message says which report, not what a row holds.
                await jobs.FailAsync(job.ReportId, worker, $"Report {job.ReportId} names an estimation method this version of the service does not know.");
                return;
            }

            var now = job.RequestedNowUs ?? await calculator.LatestObservationAsync(keeper.Token);
            var keys = now is null ? [] : await calculator.StoreKeysAsync(now.Value, keeper.Token);
            await using var connection = await database.OpenAsync(keeper.Token);
            if (keys.Count == 0)
            {
                // No polls at all: an empty report, complete.
                await jobs.SetScopeAsync(connection, job.ReportId, worker, now, 0, keeper.Token);
                await using var transaction = await connection.BeginTransactionAsync(keeper.Token);
                await jobs.CompleteAsync(connection, transaction, job.ReportId, worker, 0);
                Observe(connection, transaction, job.ReportId, job.MethodName, now, 0);
                await transaction.CommitAsync(keeper.Token);
                await FinishedAsync(job.ReportId, job.MethodName, 0, UnixMicros.FromDateTimeOffset(time.GetUtcNow()), stopping);
                return;
            }

            var end = now!.Value;
            var plan = ReportShards.Split(keys, options.Value.Reports.ShardStores);
            // Lost to another report's plan or shard: planned again now, not after the job's lease.
            await RetryOnConflictAsync(
                async () =>
                {
                    await shards.PlanAsync(connection, job.ReportId, worker, end, keys.Count, plan, keeper.Token);
                    return true;
                },
                keeper.Token);

            Log.ReportPlanned(logger, job.ReportId, worker, keys.Count, plan.Count);
            Log.ReportWindowsEnd(logger, job.ReportId, UnixMicros.Format(end));
        }
        catch (Exception ex) when (ex is ReportLeaseLostException || (ex is OperationCanceledException && keeper.IsLost))
        {
            Log.ReportTakenOver(logger, job.ReportId, worker, job.Attempts);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await jobs.HandBackAsync(job.ReportId, worker);
            Log.ReportHandedBack(logger, job.ReportId, worker);
        }
        catch (DbException ex)
        {
            Log.PlanAbandoned(logger, ex, job.ReportId, worker);
        }
        catch (Exception ex)
        {
            // The exception is logged; the job keeps a message that reveals nothing internal.
            Log.ReportFailed(logger, ex, job.ReportId);
            metrics.ReportFinished(job.MethodName, ReportStatus.Error.Name(), TimeSpan.Zero);
            await jobs.FailAsync(job.ReportId, worker, $"The report could not be computed (an internal error, logged with report id {job.ReportId}).");
        }
    }

    public async Task RunShardAsync(ClaimedShard shard, string worker, CancellationToken stopping)
    {
        await using var keeper = LeaseKeeper.Start(ct => shards.RenewLeaseAsync(shard, worker, Lease, ct), Lease, time, stopping);
        try
        {
            var method = ReportJob.MethodOf(shard.ReportId, shard.MethodName);
            var rows = await calculator.ComputeShardAsync(method, shard.NowUs, shard.Stores, keeper.Token);
            var stores = await SaveAsync(shard, worker, rows, keeper.Token);
            Log.ShardComplete(logger, shard.ReportId, shard.Shard, rows.Count, worker);
            if (stores is not null)
            {
                await FinishedAsync(shard.ReportId, shard.MethodName, stores.Value, shard.StartedAtUs, stopping);
            }
        }
        catch (Exception ex) when (ex is ReportLeaseLostException || (ex is OperationCanceledException && keeper.IsLost))
        {
            // Another worker owns the shard now (or the report failed meanwhile); whatever it decides stands.
            Log.ReportTakenOver(logger, shard.ReportId, worker, shard.Attempts);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down is not the report's fault: the shard goes back at once, its attempt
            // uncounted, for this instance after a restart or any other one now.
            await shards.HandBackAsync(shard, worker);
            Log.ReportHandedBack(logger, shard.ReportId, worker);
        }
        catch (DbException ex)
        {
            // Most likely this instance's database node went away: the others carry on, and one of
            // them takes the shard over when its lease runs out. A shard that keeps failing so runs
            // out of attempts and fails the report.
            Log.ShardAbandoned(logger, ex, shard.ReportId, shard.Shard, worker);
        }
        catch (Exception ex)
        {
            Log.ReportFailed(logger, ex, shard.ReportId);
            metrics.ReportFinished(shard.MethodName, ReportStatus.Error.Name(), Elapsed(shard.StartedAtUs));
            await shards.FailAsync(shard, $"The report could not be computed (an internal error, logged with report id {shard.ReportId}).");
        }
    }

    /// <summary>
    /// Saves the shard, and when it is the report's last, completes the report and tells the
    /// observers (a report.completed event), all in one transaction; retried when it loses a race
    /// for the report's row to another shard's completion on another node.
    /// </summary>
    private Task<int?> SaveAsync(ClaimedShard shard, string worker, IReadOnlyList<StoreReportRow> rows, CancellationToken cancellationToken) =>
        RetryOnConflictAsync(
            async () =>
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var stores = await shards.CompleteAsync(connection, transaction, shard, worker, rows, cancellationToken);
                if (stores is not null)
                {
                    Observe(connection, transaction, shard.ReportId, shard.MethodName, shard.NowUs, stores.Value);
                }

                await transaction.CommitAsync(cancellationToken);
                return stores;
            },
            cancellationToken);

    /// <summary>Runs a write again when it loses a write conflict (a deadlock on one server, a lost certification on a Galera cluster).</summary>
    private Task<T> RetryOnConflictAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken) =>
        retry.RunAsync(RetryPolicy.ReportSave, _ => write(), cancellationToken: cancellationToken);

    private void Observe(DbConnection connection, DbTransaction transaction, string reportId, string method, long? now, int stores)
    {
        foreach (var observer in observers)
        {
            observer.OnCompleted(connection, transaction, reportId, method, now, stores);
        }
    }

    private async Task FinishedAsync(string reportId, string method, int stores, long startedAtUs, CancellationToken stopping)
    {
        var elapsed = Elapsed(startedAtUs);
        metrics.ReportFinished(method, ReportStatus.Complete.Name(), elapsed);
        Log.ReportComplete(logger, reportId, stores, method, (long)elapsed.TotalMilliseconds);
        await ExportAsync(reportId, stopping);
    }

    private TimeSpan Elapsed(long startedAtUs) =>
        TimeSpan.FromMicroseconds(Math.Max(0, UnixMicros.FromDateTimeOffset(time.GetUtcNow()) - startedAtUs));

    /// <summary>
    /// Also leaves the finished CSV in the report directory, for operators who collect files.
    /// The database stays the source of truth: a failed export loses nothing.
    /// </summary>
    private async Task ExportAsync(string reportId, CancellationToken cancellationToken)
    {
        var path = ReportRetention.ExportPath(options.Value.ReportDirectory, reportId);
        try
        {
            await ReportCsv.WriteFileAsync(path, jobs.ReadRowsAsync(reportId, cancellationToken), extended: false, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            Log.ReportExportFailed(logger, ex, reportId, path);
        }
    }
}
