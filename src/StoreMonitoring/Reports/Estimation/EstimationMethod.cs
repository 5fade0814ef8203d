namespace StoreMonitoring.Reports.Estimation;

public enum EstimationMethod
{
    /// <summary>Each instant takes the state of the nearest poll within a horizon; the rest is unknown.</summary>
    Interpolated,

    /// <summary>The original service's method: the share of active in-hours polls times the business time.</summary>
    Ratio,

    /// <summary>Each store's own two-state Markov chain, fitted to its polls: expected uptime with a credible interval (docs/learned-estimator.md).</summary>
    Learned,
}

public static class EstimationMethods
{
    public static string Name(this EstimationMethod method) => method switch
    {
        EstimationMethod.Ratio => "ratio",
        EstimationMethod.Learned => "learned",
        _ => "interpolated",
    };

    public static bool TryParse(string? text, out EstimationMethod method)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "interpolated":
                method = EstimationMethod.Interpolated;
                return true;
            case "ratio":
                method = EstimationMethod.Ratio;
                return true;
            case "learned":
                method = EstimationMethod.Learned;
                return true;
            default:
                method = default;
                return false;
        }
    }
}
