namespace StoreMonitoring;

/// <summary>
/// The one meter every feature's instruments are created on (what /metrics exports). In the root
/// namespace so that Storage's retry counter needs no reference to Telemetry, which reads Storage.
/// </summary>
public static class Meters
{
    public const string Name = "StoreMonitoring";
}
