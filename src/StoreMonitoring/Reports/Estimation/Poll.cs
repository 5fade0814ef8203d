namespace StoreMonitoring.Reports.Estimation;

/// <summary>One observation of a store: at <paramref name="At"/> (Unix microseconds) it was active or not.</summary>
public readonly record struct Poll(long At, bool Active);
