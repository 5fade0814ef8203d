using Microsoft.Extensions.Logging;

namespace StoreMonitoring.Alerts;

internal static partial class AlertsLog
{
    [LoggerMessage(6001, LogLevel.Information, "Webhook {DeliveryId} ({EventType}) delivered to {WebhookId} on attempt {Attempt}: {StatusCode}")]
    public static partial void Delivered(ILogger logger, string deliveryId, string eventType, string webhookId, long attempt, int statusCode);

    [LoggerMessage(6002, LogLevel.Warning, "Webhook {DeliveryId} to {WebhookId} failed on attempt {Attempt} ({Error}); next attempt at {NextAttempt}")]
    public static partial void Retrying(ILogger logger, string deliveryId, string webhookId, long attempt, string error, string nextAttempt);

    [LoggerMessage(6003, LogLevel.Error, "Webhook {DeliveryId} to {WebhookId} failed for good after {Attempt} attempt(s): {Error}")]
    public static partial void Failed(ILogger logger, string deliveryId, string webhookId, long attempt, string error);

    [LoggerMessage(6004, LogLevel.Warning, "Webhook subscription {WebhookId} disabled: its receiver answered 410 Gone")]
    public static partial void Disabled(ILogger logger, string webhookId);

    [LoggerMessage(6005, LogLevel.Warning, "Webhook {DeliveryId}: another worker took it over before its outcome was recorded")]
    public static partial void LeaseLost(ILogger logger, string deliveryId);
}
