using System.Data.Common;
using Microsoft.Extensions.Options;
using StoreMonitoring.Import;
using StoreMonitoring.Reports;

namespace StoreMonitoring.Api.Operations;

internal static class RetentionExtensions
{
    public static IServiceCollection AddRetention(this IServiceCollection services) => services.AddHostedService<RetentionWorker>();
}

/// <summary>
/// Housekeeping at start-up and then every <c>Reports:RetentionIntervalMinutes</c>, on the injected
/// clock: the incidents an interrupted import still owed, then the retention cleanup (reports,
/// import runs, then raw polls and rollups).
/// </summary>
internal sealed partial class RetentionWorker(
    DataImporter importer, ReportRetention retention, StoreMonitoring.Reports.Rollups.HistoryRetention history, TimeProvider time, IOptions<StoreMonitoringOptions> options, ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.Reports.RetentionIntervalMinutes), time);
        try
        {
            do
            {
                try
                {
                    // Skipped while an import runs: it settles them itself.
                    await importer.SettleIncidentBacklogAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is DbException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
                {
                    LogBacklogFailed(ex);
                }

                try
                {
                    await retention.CleanAsync(stoppingToken);
                    // Raw polls past Retention:PollDays, rollups past Retention:RollupDays, in bounded batches.
                    await history.CleanAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is DbException or IOException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
                {
                    LogFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(5302, LogLevel.Warning, "Settling the incidents an interrupted import owed failed; it runs again at the next interval")]
    private partial void LogBacklogFailed(Exception exception);

    [LoggerMessage(5301, LogLevel.Warning, "Retention cleanup failed; it runs again at the next interval")]
    private partial void LogFailed(Exception exception);
}
