using NodaTime;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Lab.Generation;

/// <summary>One generated store: what the input files say about it and the hidden truth behind its polls.</summary>
internal sealed class GeneratedStore
{
    public required int Index { get; init; }

    public required string StoreId { get; init; }

    /// <summary>The zone written to the timezones file, or null if the store is left out of it.</summary>
    public required string? TimezoneName { get; init; }

    /// <summary>The zone the report applies: the written one, or the default.</summary>
    public required DateTimeZone Zone { get; init; }

    public required ScheduleKind ScheduleKind { get; init; }

    /// <summary>The rows of the hours file, in file order.</summary>
    public required IReadOnlyList<OpeningWindow> Windows { get; init; }

    public required WeeklySchedule Schedule { get; init; }

    /// <summary>False for the stores that only the hours and timezone files list.</summary>
    public required bool Polled { get; init; }

    public Reliability? Reliability { get; init; }

    /// <summary>Down whenever closed, so polls outside business hours say inactive.</summary>
    public bool OfflineOutsideHours { get; init; }

    public PollPlan? Plan { get; init; }

    /// <summary>Business hours over the whole timeline, for stores whose polls or state depend on them; empty otherwise.</summary>
    public TimeRange[] OpenHours { get; init; } = [];

    /// <summary>The true down ranges: sorted, disjoint, on whole seconds.</summary>
    public TimeRange[] Down { get; init; } = [];
}

/// <summary>All stores of one generation, built from the options alone; writing them is <see cref="DataGenerator"/>'s job.</summary>
internal sealed class GeneratedWorld
{
    // Stream numbers: each concern draws from its own stream per store (see GeneratorRandom.For).
    internal const ulong ProfileStream = 1;
    internal const ulong TimelineStream = 2;
    internal const ulong PlanStream = 3;
    internal const ulong PollStream = 4;
    internal const ulong WorldStream = 5;

    private static readonly string[] Zones =
    [
        "America/Chicago", "America/New_York", "America/Los_Angeles", "America/Denver", "America/Phoenix",
        "America/Boise", "America/Anchorage", "Pacific/Honolulu", "America/Indiana/Indianapolis", "America/Detroit",
    ];

    private static readonly double[] ZoneWeights = [45, 25, 8, 5, 4, 2, 2, 2, 4, 3];

    private GeneratedWorld(GeneratorOptions options, long timelineFrom, long timelineTo, IReadOnlyList<GeneratedStore> stores)
    {
        Options = options;
        TimelineFrom = timelineFrom;
        TimelineTo = timelineTo;
        Stores = stores;
    }

    public GeneratorOptions Options { get; }

    public long Start => Options.EffectiveStart;

    public long End => Options.EffectiveEnd;

    public long TimelineFrom { get; }

    public long TimelineTo { get; }

    /// <summary>The polled stores first (index 0 to Stores - 1), then the listed-only ones.</summary>
    public IReadOnlyList<GeneratedStore> Stores { get; }

    public static GeneratedWorld Create(GeneratorOptions options)
    {
        options.Validate();
        var seed = options.Seed;
        // The truth starts two days early so the state at the first poll has a history.
        var from = (options.EffectiveStart - 2 * UnixMicros.PerDay) / UnixMicros.PerSecond * UnixMicros.PerSecond;
        var to = (options.EffectiveEnd / UnixMicros.PerSecond + 1) * UnixMicros.PerSecond;
        var globalGaps = GlobalGaps(GeneratorRandom.For(seed, WorldStream, 0), options.EffectiveStart, options.EffectiveEnd);

        // The real hours and timezone files list about a fifth more stores than the status file.
        var listedOnly = (int)Math.Round(options.Stores * 0.2);
        var stores = new List<GeneratedStore>(options.Stores + listedOnly);
        for (var i = 0; i < options.Stores + listedOnly; i++)
        {
            stores.Add(CreateStore(seed, i, polled: i < options.Stores, from, to, options, globalGaps));
        }

        return new GeneratedWorld(options, from, to, stores);
    }

    private static GeneratedStore CreateStore(ulong seed, int index, bool polled, long from, long to, GeneratorOptions options, TimeRange[] globalGaps)
    {
        var random = GeneratorRandom.For(seed, ProfileStream, index);
        var storeId = random.NextUuid();
        // One store in twelve is missing from the timezones file, so the default zone applies.
        var timezoneName = random.Chance(1.0 / 12) ? null : Zones[random.Pick(ZoneWeights)];
        var zone = timezoneName is null ? BusinessHours.DefaultZone : DateTimeZoneProviders.Tzdb[timezoneName];
        var (kind, windows) = ScheduleFactory.Create(random);
        var schedule = new WeeklySchedule(windows);
        var offlineOutside = !schedule.IsAlwaysOpen && random.Chance(0.2);
        if (!polled)
        {
            return new GeneratedStore
            {
                Index = index, StoreId = storeId, TimezoneName = timezoneName, Zone = zone, ScheduleKind = kind, Windows = windows, Schedule = schedule, Polled = false,
            };
        }

        var reliability = Reliability.Create(random);
        var plan = PollPlan.Create(GeneratorRandom.For(seed, PlanStream, index), options.EffectiveStart, options.EffectiveEnd, globalGaps);
        TimeRange[] openHours = [];
        if (offlineOutside || plan.Kind == PollingKind.BusinessHoursOnly)
        {
            var hours = new List<TimeRange>();
            BusinessHours.Expand(schedule, zone, from, to, hours);
            openHours = [.. hours];
        }

        var down = TrueTimeline.Build(reliability, GeneratorRandom.For(seed, TimelineStream, index), from, to, offlineOutside ? openHours : []);
        return new GeneratedStore
        {
            Index = index,
            StoreId = storeId,
            TimezoneName = timezoneName,
            Zone = zone,
            ScheduleKind = kind,
            Windows = windows,
            Schedule = schedule,
            Polled = true,
            Reliability = reliability,
            OfflineOutsideHours = offlineOutside,
            Plan = plan,
            OpenHours = openHours,
            Down = down,
        };
    }

    /// <summary>Outages of the poller itself, which hit every store at once: about one every ten days, 1-4 hours long.</summary>
    private static TimeRange[] GlobalGaps(GeneratorRandom random, long start, long end)
    {
        var gaps = new List<TimeRange>();
        // Kept away from the last two days, which would otherwise starve every store's last hour and day at once.
        var first = start + UnixMicros.PerDay;
        var last = end - 2 * UnixMicros.PerDay;
        for (var at = first; at < last; at += UnixMicros.PerDay)
        {
            if (random.Chance(0.1))
            {
                var gapStart = at + random.NextLong(0, UnixMicros.PerDay);
                gaps.Add(new TimeRange(gapStart, gapStart + random.NextLong(UnixMicros.PerHour, 4 * UnixMicros.PerHour)));
            }
        }

        return [.. gaps];
    }
}
