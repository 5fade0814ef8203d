using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>Runs one claimed report job to the end: computes, saves in batches with progress, completes or fails.</summary>
public sealed class ReportJobRunner(
    StoreDatabase database,
    ReportJobs jobs,
    ReportCalculator calculator,
    IOptions<StoreMonitoringOptions> options,
    ILogger<ReportJobRunner> logger,
    Telemetry.StoreMonitoringMetrics metrics)
{
    public async Task RunAsync(ReportJob job, string worker, CancellationToken cancellationToken)
    {
        var lease = TimeSpan.FromSeconds(options.Value.Reports.LeaseSeconds);
        var stopwatch = Stopwatch.StartNew();
        Log.ReportStarted(logger, job.ReportId, worker);
        // The heartbeat keeps the lease alive through stretches without a finished batch (the first
        // read of a large table); losing the job to another worker cancels this run.
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = HeartbeatAsync(job.ReportId, worker, lease, lost);
        try
        {
            if (!EstimationMethods.TryParse(job.Method, out var method))
            {
                throw new InvalidOperationException($"Unknown estimation method '{job.Method}'.");
            }

            var now = job.RequestedNowUs ?? await calculator.LatestObservationAsync(lost.Token);
            // A report is long, synchronous work: a thread of its own keeps the pool free for requests.
            var stores = await Task.Factory.StartNew(() =>
            {
                using var connection = database.Open();
                if (now is null)
                {
                    jobs.SetScope(connection, job.ReportId, worker, 0, 0, lease);
                    return 0;
                }

                int done = 0, total = 0;
                return calculator.Run(
                    method,
                    now.Value,
                    count =>
                    {
                        total = count;
                        jobs.SetScope(connection, job.ReportId, worker, now.Value, total, lease);
                    },
                    batch =>
                    {
                        done += batch.Count;
                        jobs.SaveBatch(connection, job.ReportId, worker, done, batch, lease);
                        Log.ReportProgress(logger, job.ReportId, done, total);
                    },
                    lost.Token);
            }, lost.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            using (var connection = database.Open())
            {
                jobs.Complete(connection, job.ReportId, worker, stores);
            }

            metrics.ReportFinished(job.Method, ReportStatus.Complete, stopwatch.Elapsed);
            Log.ReportComplete(logger, job.ReportId, stores, method.Name(), now is null ? "(no data)" : UnixMicros.Format(now.Value), stopwatch.ElapsedMilliseconds);
            await ExportAsync(job.ReportId, cancellationToken);
        }
        catch (Exception ex) when (ex is ReportLeaseLostException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Another worker owns the job now; whatever it decides stands.
            Log.ReportTakenOver(logger, job.ReportId, worker, job.Attempts);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the lease runs out and another worker (or this one, restarted) takes over.
            throw;
        }
        catch (Exception ex)
        {
            Log.ReportFailed(logger, ex, job.ReportId);
            metrics.ReportFinished(job.Method, ReportStatus.Error, stopwatch.Elapsed);
            // The exception stays in the log: its text can name paths and internals, not for callers.
            await jobs.FailAsync(job.ReportId, worker, $"The report could not be computed (an internal error, logged with report id {job.ReportId}).");
        }
        finally
        {
            await lost.CancelAsync();
            await heartbeat;
        }
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.ReportExportFailed(logger, ex, reportId, path);
        }
    }

    private async Task HeartbeatAsync(string reportId, string worker, TimeSpan lease, CancellationTokenSource lost)
    {
        using var timer = new PeriodicTimer(lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(lost.Token))
            {
                if (!await jobs.HeartbeatAsync(reportId, worker, lease, lost.Token))
                {
                    await lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
