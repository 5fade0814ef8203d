using System.ComponentModel.DataAnnotations;

namespace StoreMonitoring.Reports.Estimation;

/// <summary>Tuning of the interpolating estimator; the defaults are the ones BENCHMARKS.md measured best.</summary>
public sealed class EstimatorSettings
{
    /// <summary>How far from its nearest poll an instant still takes that poll's state; beyond it, time is unknown.</summary>
    [Range(1, 10_080)]
    public int HorizonMinutes { get; set; } = 90;

    /// <summary>Where between two polls the state switches: 0.5 is the midpoint, 1 carries the earlier poll forward.</summary>
    [Range(0.0, 1.0)]
    public double SwitchPoint { get; set; } = 0.5;

    internal long HorizonMicros => HorizonMinutes * Time.UnixMicros.PerMinute;
}
