using System.ComponentModel.DataAnnotations;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports.Estimation;

/// <summary>
/// Tuning of the interpolating estimator (configuration section <c>StoreMonitoring:Estimation</c>);
/// the defaults are the ones bench/accuracy-results.md measured best.
/// </summary>
public sealed class EstimatorSettings
{
    /// <summary>
    /// How far from an active poll (or from an inactive one inside a run of them) an instant still
    /// takes its state; beyond it, time is unknown.
    /// </summary>
    [Range(1, 10_080)]
    public int HorizonMinutes { get; set; } = 90;

    /// <summary>
    /// How far a lone inactive poll made in business hours reaches towards an active neighbour or
    /// towards now, never past the midpoint: most outages are blips of a few minutes. Capped at
    /// the horizon, so that an inactive poll never reaches further than an active one.
    /// </summary>
    [Range(0, 10_080)]
    public int DownReachMinutes { get; set; } = 25;

    /// <summary>
    /// How far into business hours an inactive poll made while the store was closed reaches:
    /// many stores are switched off when closed, so such a poll says little about open time.
    /// </summary>
    [Range(0, 10_080)]
    public int ClosedInactiveReachMinutes { get; set; }

    internal long HorizonMicros => HorizonMinutes * UnixMicros.PerMinute;

    internal long DownReachMicros => Math.Min(DownReachMinutes, HorizonMinutes) * UnixMicros.PerMinute;

    internal long ClosedInactiveReachMicros => ClosedInactiveReachMinutes * UnixMicros.PerMinute;
}
