using StoreMonitoring.Storage;

namespace StoreMonitoring.Alerts;

/// <summary>Where a webhook delivery is: waiting for its (next) attempt, being sent, or done one way or another.</summary>
public enum DeliveryStatus
{
    Pending,
    Sending,
    Delivered,

    /// <summary>Attempts used up, or the receiver answered 410 Gone.</summary>
    Failed,

    /// <summary>Its subscription was disabled before it was sent.</summary>
    Cancelled,
}

/// <summary>How <c>webhook_deliveries</c> stores a status, and how the API and the CLI show it.</summary>
public static class DeliveryStatuses
{
    public static readonly StoredStatuses<DeliveryStatus> Stored = new(
        (DeliveryStatus.Pending, "pending"),
        (DeliveryStatus.Sending, "sending"),
        (DeliveryStatus.Delivered, "delivered"),
        (DeliveryStatus.Failed, "failed"),
        (DeliveryStatus.Cancelled, "cancelled"));

    public static string Name(this DeliveryStatus status) => Stored.Name(status);

    public static string Sql(this DeliveryStatus status) => Stored.Sql(status);
}
