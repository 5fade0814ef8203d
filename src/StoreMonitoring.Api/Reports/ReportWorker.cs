using System.Data.Common;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Api.Reports;

internal static class ReportWorkerExtensions
{
    public static IServiceCollection AddReportWorker(this IServiceCollection services)
    {
        services.AddHostedService<ReportWorker>();
        return services;
    }
}

/// <summary>
/// Claims work from the database and runs up to the configured number of pieces at a time: queued
/// reports to plan first, then shards of running reports, whichever instance planned them. The
/// database is the queue: reports triggered on another instance are found by polling, and work
/// whose worker died is taken over when its lease runs out.
/// </summary>
internal sealed partial class ReportWorker(
    ReportJobs jobs, ReportShards shards, ReportJobRunner runner, WakeSignal<ReportJobs> signal, IOptions<StoreMonitoringOptions> options, ILogger<ReportWorker> logger) : BackgroundService
{
    private readonly string _worker =
        StoreMonitoring.Storage.WorkerIds.New(options.Value.Reports.InstanceName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Reports;
        if (!settings.RunWorker)
        {
            return;
        }

        var lease = TimeSpan.FromSeconds(settings.LeaseSeconds);
        var pollInterval = TimeSpan.FromSeconds(settings.PollIntervalSeconds);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            try
            {
                while (running.Count < settings.MaxConcurrentReports)
                {
                    if (await jobs.TryClaimAsync(_worker, lease, settings.MaxAttempts, TakingOver, stoppingToken) is { } job)
                    {
                        running.Add(Task.Run(() => runner.PlanAsync(job, _worker, stoppingToken), CancellationToken.None));
                    }
                    else if (await shards.TryClaimAsync(_worker, lease, settings.MaxAttempts, stoppingToken) is { } shard)
                    {
                        running.Add(Task.Run(() => runner.RunShardAsync(shard, _worker, stoppingToken), CancellationToken.None));
                    }
                    else
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                LogClaimFailed(ex);
            }

            try
            {
                var wake = signal.WaitAsync(pollInterval, stoppingToken);
                await (running.Count < settings.MaxConcurrentReports ? Task.WhenAny([wake, .. running]) : Task.WhenAny(running));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException)
        {
            // Unfinished reports keep their lease until it runs out; then they are taken over.
        }
    }

    private void TakingOver(ReportJob job) => LogTakingOver(job.ReportId, job.Worker, job.Attempts);

    [LoggerMessage(4001, LogLevel.Warning, "Could not claim report jobs")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(4002, LogLevel.Warning, "Report {ReportId}: worker {Worker} lost its lease after {Attempts} attempt(s)")]
    private partial void LogTakingOver(string reportId, string? worker, int attempts);
}
