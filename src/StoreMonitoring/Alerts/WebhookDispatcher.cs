using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Alerts;

/// <summary>
/// Sends claimed deliveries by the Standard Webhooks spec (signed, no redirects followed, a
/// timeout per attempt) and records each outcome: delivered, retried on the schedule (or later
/// when the receiver asks with Retry-After), failed once attempts run out, or the subscription
/// disabled on 410 Gone.
/// </summary>
public sealed class WebhookDispatcher(
    DeliveryQueue queue,
    WebhookSubscriptions subscriptions,
    IHttpClientFactory http,
    IOptionsMonitor<WebhookOptions> options,
    TimeProvider time,
    WebhookMetrics metrics,
    ILogger<WebhookDispatcher> logger)
{
    /// <summary>The named client: redirects off, proxies off, connections through <see cref="DestinationGuard"/>.</summary>
    public const string ClientName = "StoreMonitoring.Webhooks";

    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromDays(1);

    public Task<ClaimedDelivery?> TryClaimAsync(string worker, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        return queue.TryClaimAsync(worker, settings.Lease, settings.MaxAttempts, cancellationToken);
    }

    /// <summary>Makes one attempt at a claimed delivery and records its outcome.</summary>
    /// <remarks>
    /// A shutdown does not cancel an attempt under way: a cancelled request may still have reached
    /// the receiver, and sending it again after the restart would deliver it twice. The attempt
    /// ends within the timeout, then its outcome is recorded; the lease keeper only cancels it
    /// when another worker has taken the delivery over.
    /// </remarks>
    public async Task SendAsync(ClaimedDelivery delivery, string worker)
    {
        var settings = options.CurrentValue;
        await using var keeper = LeaseKeeper.Start(ct => queue.RenewAsync(delivery.DeliveryId, worker, settings.Lease, ct), settings.Lease, time, CancellationToken.None);
        var attempt = await AttemptAsync(delivery, settings, keeper.Token);
        bool recorded;
        if (attempt.StatusCode is >= 200 and < 300)
        {
            recorded = await queue.DeliveredAsync(delivery.DeliveryId, worker, attempt.StatusCode.Value);
            metrics.Attempted("delivered");
            AlertsLog.Delivered(logger, delivery.DeliveryId, delivery.EventType, delivery.WebhookId, delivery.Attempts, attempt.StatusCode.Value);
        }
        else if (attempt.StatusCode == (int)HttpStatusCode.Gone)
        {
            await subscriptions.DisableAsync(delivery.WebhookId, "The receiver answered 410 Gone.", CancellationToken.None);
            recorded = await queue.FailAsync(delivery.DeliveryId, worker, attempt.StatusCode, "The receiver answered 410 Gone: the subscription is disabled.");
            metrics.Attempted("gone");
            AlertsLog.Disabled(logger, delivery.WebhookId);
        }
        else if (delivery.Attempts >= settings.MaxAttempts)
        {
            recorded = await queue.FailAsync(delivery.DeliveryId, worker, attempt.StatusCode, attempt.Error);
            metrics.Attempted("failed");
            AlertsLog.Failed(logger, delivery.DeliveryId, delivery.WebhookId, delivery.Attempts, attempt.Error);
        }
        else
        {
            var delay = NextDelay(settings, (int)delivery.Attempts, attempt.RetryAfter);
            var due = UnixMicros.FromDateTimeOffset(time.GetUtcNow() + delay);
            recorded = await queue.RetryAsync(delivery.DeliveryId, worker, attempt.StatusCode, attempt.Error, due);
            metrics.Attempted(attempt.Refused ? "refused" : "retrying");
            AlertsLog.Retrying(logger, delivery.DeliveryId, delivery.WebhookId, delivery.Attempts, attempt.Error, UnixMicros.Format(due));
        }

        if (!recorded)
        {
            AlertsLog.LeaseLost(logger, delivery.DeliveryId);
        }
    }

    /// <summary>The scheduled delay after attempt <paramref name="attempt"/>, with jitter, and never sooner than the receiver asked.</summary>
    internal static TimeSpan NextDelay(WebhookOptions settings, int attempt, TimeSpan? retryAfter)
    {
        var delays = settings.EffectiveRetryDelays;
        var scheduled = delays[Math.Clamp(attempt - 1, 0, delays.Count - 1)] * (1 + (settings.Jitter * Random.Shared.NextDouble()));
        return retryAfter is { } asked && asked > scheduled ? (asked < LongestRetryAfter ? asked : LongestRetryAfter) : scheduled;
    }

    private async Task<Attempt> AttemptAsync(ClaimedDelivery delivery, WebhookOptions settings, CancellationToken leaseLost)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", delivery.DeliveryId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString());
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(delivery.DeliveryId, timestamp, delivery.Payload, [delivery.Secret]));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("StoreMonitoring-Webhooks", "1.0"));

        using var timeout = new CancellationTokenSource(settings.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, leaseLost);
        try
        {
            using var response = await http.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            return new Attempt((int)response.StatusCode, RetryAfter(response.Headers.RetryAfter), $"The receiver answered {(int)response.StatusCode}.", false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is DestinationRefusedException refused)
        {
            return new Attempt(null, null, refused.Message, true);
        }
        catch (HttpRequestException ex)
        {
            return new Attempt(null, null, $"The request failed: {ex.Message}", false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new Attempt(null, null, $"No answer within {settings.Timeout.TotalSeconds:0.###} s.", false);
        }
        catch (OperationCanceledException)
        {
            return new Attempt(null, null, "Another worker took the delivery over.", false);
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };

    private sealed record Attempt(int? StatusCode, TimeSpan? RetryAfter, string Error, bool Refused);
}
