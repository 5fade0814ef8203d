using System.ComponentModel.DataAnnotations;

namespace StoreMonitoring.Reports.Estimation;

/// <summary>Tuning of the interpolating estimator; the defaults are the ones bench/accuracy-results.md measured best.</summary>
public sealed class EstimatorSettings
{
    /// <summary>How far from an active poll an instant still takes its state; beyond it, time is unknown.</summary>
    [Range(1, 10_080)]
    public int HorizonMinutes { get; set; } = 90;

    /// <summary>How far an inactive poll made in business hours reaches towards an active neighbour (never past the midpoint).</summary>
    [Range(0, 10_080)]
    public int DownReachMinutes { get; set; } = 15;

    /// <summary>Same, towards no neighbour at all (the latest poll towards now).</summary>
    [Range(0, 10_080)]
    public int DownEdgeReachMinutes { get; set; } = 15;

    /// <summary>Same, for an inactive poll next to another in-hours inactive poll.</summary>
    [Range(0, 10_080)]
    public int RunDownReachMinutes { get; set; } = 90;

    /// <summary>How far into business hours an inactive poll made while the store was closed reaches.</summary>
    [Range(0, 10_080)]
    public int ClosedInactiveReachMinutes { get; set; } = 0;

    public bool FallbackToHistory { get; set; } = true;

    public bool ShareByDay { get; set; }

    public bool RoundHourShare { get; set; }

    public bool ShareFromHistory { get; set; }

    public bool RoundDayShare { get; set; }

    internal long HorizonMicros => HorizonMinutes * Time.UnixMicros.PerMinute;
}
