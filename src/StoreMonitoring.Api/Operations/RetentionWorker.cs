using System.Data.Common;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports;

namespace StoreMonitoring.Api.Operations;

internal static class RetentionExtensions
{
    public static IServiceCollection AddRetention(this IServiceCollection services) => services.AddHostedService<RetentionWorker>();
}

/// <summary>Runs the retention cleanup at start-up and then every <c>Reports:RetentionIntervalMinutes</c>, on the injected clock.</summary>
internal sealed partial class RetentionWorker(ReportRetention retention, TimeProvider time, IOptions<StoreMonitoringOptions> options, ILogger<RetentionWorker> logger) : BackgroundService
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
                    await retention.CleanAsync(stoppingToken);
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

    [LoggerMessage(5301, LogLevel.Warning, "Retention cleanup failed; it runs again at the next interval")]
    private partial void LogFailed(Exception exception);
}
