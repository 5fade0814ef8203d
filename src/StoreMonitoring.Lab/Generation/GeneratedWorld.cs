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
    internal const ulong WeeklyStream = 6;

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
        var collectorOutages = options.Profile == GeneratorProfile.Heterogeneous
            ? CollectorOutages(GeneratorRandom.For(seed, WorldStream, 3), options.EffectiveStart, options.EffectiveEnd)
            : [];

        // The real hours and timezone files list about a fifth more stores than the status file.
        var listedOnly = (int)Math.Round(options.Stores * 0.2);
        var stores = new List<GeneratedStore>(options.Stores + listedOnly);
        for (var i = 0; i < options.Stores + listedOnly; i++)
        {
            stores.Add(CreateStore(seed, i, polled: i < options.Stores, from, to, options, globalGaps, collectorOutages));
        }

        return new GeneratedWorld(options, from, to, stores);
    }

    private static GeneratedStore CreateStore(
        ulong seed, int index, bool polled, long from, long to, GeneratorOptions options, TimeRange[] globalGaps, List<(TimeRange Range, double Share)> collectorOutages)
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

        var heterogeneous = options.Profile == GeneratorProfile.Heterogeneous;
        var reliability = heterogeneous ? Reliability.CreateHeterogeneous(random) : Reliability.Create(random);
        var plan = heterogeneous
            ? PollPlan.CreateHeterogeneous(GeneratorRandom.For(seed, PlanStream, index), options.EffectiveStart, options.EffectiveEnd, collectorOutages)
            : PollPlan.Create(GeneratorRandom.For(seed, PlanStream, index), options.EffectiveStart, options.EffectiveEnd, globalGaps);
        TimeRange[] openHours = [];
        if (offlineOutside || plan.Kind == PollingKind.BusinessHoursOnly)
        {
            var hours = new List<TimeRange>();
            BusinessHours.Expand(schedule, zone, from, to, hours);
            openHours = [.. hours];
        }

        var weekly = reliability.Kind == ReliabilityKind.Weekly ? MondayOutages(GeneratorRandom.For(seed, WeeklyStream, index), windows, zone, from, to) : [];
        var down = TrueTimeline.Build(reliability, GeneratorRandom.For(seed, TimelineStream, index), from, to, offlineOutside ? openHours : [], weekly);
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

    /// <summary>
    /// The weekly kind's outage: every Monday from the store's first Monday opening (09:00 when it
    /// has none) for the same 2-4 hours, on whole seconds.
    /// </summary>
    private static TimeRange[] MondayOutages(GeneratorRandom random, IReadOnlyList<OpeningWindow> windows, DateTimeZone zone, long from, long to)
    {
        var opening = windows.Where(w => w.DayOfWeek == 0).Select(w => w.Start).DefaultIfEmpty(new LocalTime(9, 0)).Min();
        var length = random.NextLong(2 * 3_600, 4 * 3_600 + 1) * UnixMicros.PerSecond;
        var outages = new List<TimeRange>();
        var date = Instant.FromUnixTimeTicks(from * 10).InZone(zone).Date;
        for (; ; date = date.PlusDays(1))
        {
            if (date.DayOfWeek != IsoDayOfWeek.Monday)
            {
                continue;
            }

            var start = UnixMicros.FromInstant(zone.AtLeniently(date + opening).ToInstant()) / UnixMicros.PerSecond * UnixMicros.PerSecond;
            if (start >= to)
            {
                break;
            }

            if (start >= from)
            {
                outages.Add(new TimeRange(start, Math.Min(start + length, to)));
            }
        }

        return [.. outages];
    }

    /// <summary>
    /// The heterogeneous profile's collector outages: about one every three days, 1-6 hours long,
    /// each taking a third to nine tenths of the stores' polls, anywhere up to the last hour
    /// (so some starve many stores' last day or hour at once).
    /// </summary>
    private static List<(TimeRange Range, double Share)> CollectorOutages(GeneratorRandom random, long start, long end)
    {
        var outages = new List<(TimeRange, double)>();
        for (var at = start; at < end - UnixMicros.PerHour; at += UnixMicros.PerDay)
        {
            if (random.Chance(1.0 / 3))
            {
                var gapStart = at + random.NextLong(0, UnixMicros.PerDay);
                var share = random.Uniform(0.3, 0.9);
                outages.Add((new TimeRange(gapStart, gapStart + random.NextLong(UnixMicros.PerHour, 6 * UnixMicros.PerHour)), share));
            }
        }

        return outages;
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
