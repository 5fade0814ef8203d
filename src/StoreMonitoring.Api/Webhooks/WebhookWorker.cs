using System.Data.Common;
using Microsoft.Extensions.Options;
using StoreMonitoring.Alerts;
using StoreMonitoring.Time;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Api.Webhooks;

internal static class WebhookWorkerExtensions
{
    public static IServiceCollection AddWebhookWorker(this IServiceCollection services) => services.AddHostedService<WebhookWorker>();
}

/// <summary>
/// Delivers queued webhooks, up to the configured number at a time, and runs the stale-store
/// check on its interval (and, hourly, deletes finished deliveries past their retention). The outbox is the queue: events queued by another process are found by
/// polling, a local event wakes the worker at once, and a delivery whose worker died is taken over
/// when its lease runs out.
/// </summary>
internal sealed partial class WebhookWorker(
    WebhookDispatcher dispatcher, DeliveryQueue queue, StaleStoreCheck staleCheck, WakeSignal<DeliveryQueue> signal, IOptionsMonitor<WebhookOptions> options,
    IOptions<StoreMonitoringOptions> instance, TimeProvider time, ILogger<WebhookWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan RecheckAfterWake = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    // The instance's name as in the report worker's ids: one holder format across the queues.
    private readonly string _worker = WorkerIds.New(instance.Value.Reports.InstanceName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.CurrentValue;
        if (!settings.RunWorker)
        {
            return;
        }

        var stale = CheckStaleStoresAsync(settings.StaleCheckInterval, stoppingToken);
        var running = new List<Task>();
        // One wake-up wait lives across iterations: an abandoned wait would swallow the next signal.
        Task<bool>? wake = null;
        var woken = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            var claimed = false;
            try
            {
                while (running.Count < settings.MaxConcurrentDeliveries)
                {
                    var delivery = await dispatcher.TryClaimAsync(_worker, stoppingToken);
                    if (delivery is null)
                    {
                        break;
                    }

                    // Not cancelled by the shutdown: see WebhookDispatcher.SendAsync.
                    running.Add(Task.Run(() => SendAsync(delivery), CancellationToken.None));
                    claimed = true;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                LogClaimFailed(ex);
            }

            try
            {
                wake ??= signal.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                // The signal comes from inside the transaction that queues the event: a wake-up that
                // found nothing most likely came before that commit, so look again soon.
                var poll = Task.Delay(woken && !claimed && settings.PollInterval > RecheckAfterWake ? RecheckAfterWake : settings.PollInterval, time, stoppingToken);
                woken = false;
                await (running.Count < settings.MaxConcurrentDeliveries ? Task.WhenAny([wake, poll, .. running]) : Task.WhenAny(running));
                if (wake.IsCompleted)
                {
                    await wake;
                    wake = null;
                    woken = true;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Attempts under way end within their timeout and record their outcome before the host stops.
        await Task.WhenAll(running);
        await stale;
    }

    // A database error while recording leaves the delivery claimed: it is tried again once its
    // lease runs out, so the error is logged here rather than ending the worker.
    private async Task SendAsync(ClaimedDelivery delivery)
    {
        try
        {
            await dispatcher.SendAsync(delivery, _worker);
        }
        catch (DbException ex)
        {
            LogRecordFailed(ex, delivery.DeliveryId);
        }
    }

    private async Task CheckStaleStoresAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        var lastPurge = DateTimeOffset.MinValue;
        try
        {
            do
            {
                try
                {
                    var queued = await staleCheck.RunAsync(stoppingToken);
                    if (queued > 0)
                    {
                        LogStaleEvents(queued);
                    }

                    if (time.GetUtcNow() - lastPurge >= PurgeEvery)
                    {
                        lastPurge = time.GetUtcNow();
                        var cutoff = UnixMicros.FromDateTimeOffset(lastPurge - TimeSpan.FromDays(options.CurrentValue.RetentionDays));
                        await queue.PurgeAsync(cutoff, stoppingToken);
                    }
                }
                catch (DbException ex)
                {
                    LogStaleCheckFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(6101, LogLevel.Warning, "Could not claim webhook deliveries")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(6104, LogLevel.Warning, "Webhook {DeliveryId}: the outcome of its attempt could not be recorded; it is tried again when its lease runs out")]
    private partial void LogRecordFailed(Exception exception, string deliveryId);

    [LoggerMessage(6102, LogLevel.Warning, "The stale-store check failed")]
    private partial void LogStaleCheckFailed(Exception exception);

    [LoggerMessage(6103, LogLevel.Information, "Stale-store check: {Events} store.stale event(s) queued")]
    private partial void LogStaleEvents(int events);
}
