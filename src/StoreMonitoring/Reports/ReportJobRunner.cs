using System.Data.Common;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>
/// Runs one claimed report job to the end: computes it, saves it in batches with progress while
/// its lease is kept alive, then completes it. A shutdown hands the job back; a failure fails it.
/// </summary>
public sealed class ReportJobRunner(
    StoreDatabase database,
    ReportJobs jobs,
    ReportCalculator calculator,
    TimeProvider time,
    IOptions<StoreMonitoringOptions> options,
    ILogger<ReportJobRunner> logger,
    Telemetry.StoreMonitoringMetrics metrics,
    IEnumerable<IReportObserver> observers)
{
    public async Task RunAsync(ReportJob job, string worker, CancellationToken stopping)
    {
        var lease = TimeSpan.FromSeconds(options.Value.Reports.LeaseSeconds);
        var stopwatch = Stopwatch.StartNew();
        Log.ReportStarted(logger, job.ReportId, worker);
        await using var keeper = LeaseKeeper.Start(ct => jobs.RenewLeaseAsync(job.ReportId, worker, lease, ct), lease, time, stopping);
        try
        {
            var stores = await ComputeAsync(job, worker, keeper.Token);
            metrics.ReportFinished(job.MethodName, nameof(ReportStatus.Complete), stopwatch.Elapsed);
            Log.ReportComplete(logger, job.ReportId, stores, job.MethodName, stopwatch.ElapsedMilliseconds);
            await ExportAsync(job.ReportId, stopping);
        }
        catch (Exception ex) when (ex is ReportLeaseLostException || (ex is OperationCanceledException && keeper.IsLost))
        {
            // Another worker owns the job now; whatever it decides stands.
            Log.ReportTakenOver(logger, job.ReportId, worker, job.Attempts);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down is not the report's fault: it goes back to the queue at once, its
            // attempt uncounted, for this instance after a restart or any other one now.
            await jobs.HandBackAsync(job.ReportId, worker);
            Log.ReportHandedBack(logger, job.ReportId, worker);
        }
        catch (Exception ex)
        {
            // The exception is logged; the job keeps a message that reveals nothing internal.
            Log.ReportFailed(logger, ex, job.ReportId);
            metrics.ReportFinished(job.MethodName, nameof(ReportStatus.Error), stopwatch.Elapsed);
            await jobs.FailAsync(job.ReportId, worker, $"The report could not be computed (an internal error, logged with report id {job.ReportId}).");
        }
    }

    private async Task<int> ComputeAsync(ReportJob job, string worker, CancellationToken cancellationToken)
    {
        // A method this version does not know fails the job here, before anything is written.
        var method = job.Method;
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = job.RequestedNowUs ?? await calculator.LatestObservationAsync(cancellationToken);
        if (now is null)
        {
            // No polls at all: an empty report, complete.
            await jobs.SetScopeAsync(connection, job.ReportId, worker, 0, 0, cancellationToken);
            await CompleteAsync(connection, job, worker, null, 0, cancellationToken);
            return 0;
        }

        var total = await calculator.CountStoresAsync(now.Value, cancellationToken);
        await jobs.SetScopeAsync(connection, job.ReportId, worker, now.Value, total, cancellationToken);
        var done = 0;
        await foreach (var batch in calculator.ComputeAsync(method, now.Value, cancellationToken))
        {
            done += batch.Count;
            await jobs.SaveBatchAsync(connection, job.ReportId, worker, done, batch, cancellationToken);
            Log.ReportProgress(logger, job.ReportId, done, total);
        }

        await CompleteAsync(connection, job, worker, now, done, cancellationToken);
        Log.ReportWindowsEnd(logger, job.ReportId, UnixMicros.Format(now.Value));
        return done;
    }

    /// <summary>Completes the job and tells the observers (a report.completed event) in one transaction.</summary>
    private async Task CompleteAsync(DbConnection connection, ReportJob job, string worker, long? now, int stores, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await jobs.CompleteAsync(connection, transaction, job.ReportId, worker, stores);
        foreach (var observer in observers)
        {
            observer.OnCompleted(connection, transaction, job.ReportId, job.MethodName, now, stores);
        }

        await transaction.CommitAsync(cancellationToken);
    }

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
