using NodaTime;
using StoreMonitoring.Time;

namespace StoreMonitoring.Lab.Generation;

/// <summary>Which kinds of store a generation makes.</summary>
public enum GeneratorProfile
{
    /// <summary>The original mix (its output is byte-stable: tests and published accuracy figures depend on it).</summary>
    Standard,

    /// <summary>
    /// Stores that differ the way a per-store model can learn: flappy (short, frequent outages),
    /// sticky (rare outages that last a day), weekly (down every Monday morning), memoryless ones,
    /// the standard kinds, each with its own poll interval from 50 minutes to 3 hours or irregular
    /// polls, and collector outages that hit many stores at once.
    /// </summary>
    Heterogeneous,
}

/// <summary>What to generate. The same options always produce the same bytes.</summary>
/// <param name="Stores">Stores that are polled (the status file's stores); the hours and timezone files also list some unpolled ones, as the real files do.</param>
/// <param name="Days">Length of the polled period, ending at <see cref="End"/>.</param>
/// <param name="End">End of the period in Unix microseconds; null picks a date from the seed (<see cref="DefaultEnd"/>).</param>
/// <param name="PollErrorRate">Share of polls that report the opposite of the true state.</param>
/// <param name="Profile">Which kinds of store to make.</param>
public sealed record GeneratorOptions(
    int Stores, int Days, ulong Seed, long? End = null, double PollErrorRate = GeneratorOptions.DefaultPollErrorRate, GeneratorProfile Profile = GeneratorProfile.Standard)
{
    /// <summary>One poll in a thousand lies: enough to punish estimators that trust a single poll absolutely, too few to dominate.</summary>
    public const double DefaultPollErrorRate = 0.001;

    // Half of these put a DST change inside the report's last week (US changes: 2024-11-03,
    // 2025-03-09, 2025-11-02, 2026-03-08), so a handful of seeds covers both cases.
    private static readonly LocalDate[] EndDates =
    [
        new(2024, 10, 14),
        new(2024, 11, 7),
        new(2025, 3, 13),
        new(2025, 6, 18),
        new(2025, 11, 5),
        new(2026, 3, 11),
    ];

    public long EffectiveEnd => End ?? DefaultEnd(Seed);

    public long EffectiveStart => EffectiveEnd - Days * UnixMicros.PerDay;

    /// <summary>The seed's end of the period: one of a few dates, at a time between 23:00 and 24:00 UTC like the real file's.</summary>
    public static long DefaultEnd(ulong seed)
    {
        var random = GeneratorRandom.For(seed, 0xE0D, 0);
        var date = EndDates[random.NextInt(0, EndDates.Length)];
        var midnight = UnixMicros.FromInstant(date.AtMidnight().InUtc().ToInstant());
        return midnight + 23 * UnixMicros.PerHour + random.NextLong(0, UnixMicros.PerHour);
    }

    public void Validate()
    {
        if (Stores is < 1 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Stores), Stores, "Stores must be 1 to 1,000,000.");
        }

        if (Days is < 1 or > 366)
        {
            throw new ArgumentOutOfRangeException(nameof(Days), Days, "Days must be 1 to 366.");
        }

        if (PollErrorRate is < 0 or > 0.5 || double.IsNaN(PollErrorRate))
        {
            throw new ArgumentOutOfRangeException(nameof(PollErrorRate), PollErrorRate, "The poll error rate must be 0 to 0.5.");
        }
    }
}
