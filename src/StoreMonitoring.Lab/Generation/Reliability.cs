namespace StoreMonitoring.Lab.Generation;

/// <summary>How a store's true up and down periods are drawn.</summary>
internal enum ReliabilityKind
{
    /// <summary>Up for days at a time; short blips.</summary>
    Solid,
    Normal,

    /// <summary>Down every few hours.</summary>
    Flaky,

    /// <summary>Down most of the time, up for a few hours now and then.</summary>
    MostlyDown,

    /// <summary>Never down.</summary>
    AlwaysUp,

    // The heterogeneous profile's kinds (appended, so the standard profile's draws are unchanged).

    /// <summary>Down every hour or few for minutes: memoryless up and down periods.</summary>
    Flappy,

    /// <summary>Rarely down, but down for most of a day or more when it goes: memoryless.</summary>
    Sticky,

    /// <summary>A normal store that is also down every Monday from its first opening for a few hours.</summary>
    Weekly,

    /// <summary>Up and down periods both exponential, at rates drawn per store: the learned method's own model.</summary>
    Memoryless,
}

/// <summary>
/// A store's outage process: up periods are exponential (failures come without warning), outages
/// are log-normal with a Pareto tail, so most are 5-30 minute blips and a few last hours or days.
/// </summary>
internal sealed record Reliability(ReliabilityKind Kind, double MeanUpSeconds, double OutageMedianSeconds, double OutageSigma, double TailShare)
{
    private static readonly double[] Weights = [48, 30, 12, 5, 5];

    public static Reliability Create(GeneratorRandom random)
    {
        var kind = (ReliabilityKind)random.Pick(Weights);
        return Standard(kind, random);
    }

    private static readonly double[] HeterogeneousWeights = [10, 10, 5, 3, 2, 20, 15, 15, 20];

    /// <summary>The heterogeneous profile's mix: the standard kinds and the four of its own.</summary>
    public static Reliability CreateHeterogeneous(GeneratorRandom random)
    {
        var kind = (ReliabilityKind)random.Pick(HeterogeneousWeights);
        return kind switch
        {
            ReliabilityKind.Flappy => new(kind, random.LogUniform(1, 5) * 3_600, random.LogUniform(4, 15) * 60, 0, 0),
            ReliabilityKind.Sticky => new(kind, random.LogUniform(2, 6) * 86_400, random.LogUniform(8, 36) * 3_600, 0, 0),
            ReliabilityKind.Memoryless => new(kind, random.LogUniform(6, 72) * 3_600, random.LogUniform(10, 120) * 60, 0, 0),
            ReliabilityKind.Weekly => new(kind, random.LogUniform(8, 48) * 3_600, random.Uniform(10, 20) * 60, 1.3, 0.05),
            _ => Standard(kind, random),
        };
    }

    private static Reliability Standard(ReliabilityKind kind, GeneratorRandom random) => kind switch
    {
        ReliabilityKind.Solid => new(kind, random.LogUniform(2, 14) * 86_400, random.Uniform(6, 15) * 60, 1.0, 0.03),
        ReliabilityKind.Normal => new(kind, random.LogUniform(8, 48) * 3_600, random.Uniform(10, 20) * 60, 1.3, 0.05),
        ReliabilityKind.Flaky => new(kind, random.LogUniform(1, 6) * 3_600, random.Uniform(10, 30) * 60, 1.2, 0.05),
        ReliabilityKind.MostlyDown => new(kind, random.LogUniform(1, 6) * 3_600, random.LogUniform(6, 48) * 3_600, 0.8, 0),
        _ => new(kind, double.PositiveInfinity, 0, 0, 0),
    };

    /// <summary>Exponential outages (mean <see cref="OutageMedianSeconds"/>) rather than log-normal ones.</summary>
    private bool Memoryless => Kind is ReliabilityKind.Flappy or ReliabilityKind.Sticky or ReliabilityKind.Memoryless;

    /// <summary>Share of time up in the long run: the probability that a store is up when the timeline starts.</summary>
    public double Availability => double.IsPositiveInfinity(MeanUpSeconds) ? 1 : MeanUpSeconds / (MeanUpSeconds + MeanOutageSeconds);

    private double MeanOutageSeconds => Memoryless ? OutageMedianSeconds : OutageMedianSeconds * Math.Exp(OutageSigma * OutageSigma / 2);

    /// <summary>Whole seconds up before the next outage.</summary>
    public long NextUpSeconds(GeneratorRandom random) =>
        double.IsPositiveInfinity(MeanUpSeconds) ? long.MaxValue / 4 : Math.Max(60, (long)random.Exponential(MeanUpSeconds));

    /// <summary>Whole seconds of the next outage.</summary>
    public long NextOutageSeconds(GeneratorRandom random)
    {
        if (Memoryless)
        {
            return Math.Clamp((long)random.Exponential(OutageMedianSeconds), 30, 6 * 86_400);
        }

        var seconds = random.Chance(TailShare)
            ? random.Pareto(3_600, 1.5)
            : random.LogNormal(OutageMedianSeconds, OutageSigma);
        // Capped at four days: longer gaps are what "polling stopped" stores are for.
        return Math.Clamp((long)seconds, 30, 4 * 86_400);
    }
}
