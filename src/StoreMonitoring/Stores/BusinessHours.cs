using NodaTime;
using NodaTime.TimeZones;
using StoreMonitoring.Time;

namespace StoreMonitoring.Stores;

/// <summary>Turns a weekly local schedule into UTC ranges on a store's own calendar.</summary>
public static class BusinessHours
{
    /// <summary>The zone used when a store has none, or an unknown one.</summary>
    public const string DefaultZoneId = "America/Chicago";

    /// <summary>The zone used when a store has none, or an unknown one.</summary>
    public static readonly DateTimeZone DefaultZone = DateTimeZoneProviders.Tzdb[DefaultZoneId];

    /// <summary>
    /// The schedules' spelling of "until midnight": an end of 23:59:59 (or 24:00 in the input)
    /// closes at the next midnight, not a second before it.
    /// </summary>
    public static readonly LocalTime EndOfDay = new(23, 59, 59);

    // A local time skipped by a DST jump moves forward by the gap; one that occurs twice takes its
    // earlier instant. Both are what a person reading the shop's door sign would expect.
    private static readonly Duration TrustedInside = Duration.FromDays(2);

    private static readonly ZoneLocalMappingResolver Resolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnForwardShifted);

    /// <summary>
    /// Appends to <paramref name="output"/> the sorted, merged business ranges that overlap
    /// [<paramref name="from"/>, <paramref name="to"/>), clipped to it.
    /// </summary>
    /// <remarks>
    /// Rules: end &lt; start runs past midnight into the next day; end = start is open 24 hours from
    /// start; an end of 23:59:59 means until midnight; overlapping windows merge.
    /// </remarks>
    public static void Expand(WeeklySchedule schedule, DateTimeZone zone, long from, long to, List<TimeRange> output)
    {
        if (to <= from)
        {
            return;
        }

        if (schedule.IsAlwaysOpen)
        {
            output.Add(new TimeRange(from, to));
            return;
        }

        var firstNew = output.Count;
        // A window that starts the day before can still be open at `from`.
        var date = UnixMicros.ToInstant(from).InZone(zone).Date.PlusDays(-1);
        var lastDate = UnixMicros.ToInstant(to).InZone(zone).Date;
        var interval = zone.GetZoneInterval(UnixMicros.ToInstant(from));
        for (; date <= lastDate; date = date.PlusDays(1))
        {
            foreach (var window in schedule.On((int)date.DayOfWeek - 1))
            {
                var range = ToRange(window, date, zone, ref interval);
                var start = Math.Max(range.Start, from);
                var end = Math.Min(range.End, to);
                if (end > start)
                {
                    output.Add(new TimeRange(start, end));
                }
            }
        }

        MergeInPlace(output, firstNew);
    }

    /// <summary>The UTC range of one opening window on one local date.</summary>
    public static TimeRange ToRange(OpeningWindow window, LocalDate date, DateTimeZone zone)
    {
        var (start, end) = LocalBounds(window, date);
        return new TimeRange(ToMicros(start, zone), ToMicros(end, zone));
    }

    // The bulk path: most local times lie days away from any offset change, and map by the offset of
    // the zone interval the previous one fell in, without a lookup.
    private static TimeRange ToRange(OpeningWindow window, LocalDate date, DateTimeZone zone, ref ZoneInterval interval)
    {
        var (start, end) = LocalBounds(window, date);
        return new TimeRange(ToMicros(start, zone, ref interval), ToMicros(end, zone, ref interval));
    }

    /// <remarks>
    /// An instant two days inside an interval maps back to its local time through that interval
    /// alone: adjacent offsets never differ by more than a day, so no other interval reaches it and
    /// the resolver's rules for skipped or repeated times do not apply. Otherwise the resolver decides.
    /// </remarks>
    private static long ToMicros(LocalDateTime local, DateTimeZone zone, ref ZoneInterval interval)
    {
        var instant = local.WithOffset(interval.WallOffset).ToInstant();
        if ((!interval.HasStart || instant - interval.Start > TrustedInside) && (!interval.HasEnd || interval.End - instant > TrustedInside))
        {
            return UnixMicros.FromInstant(instant);
        }

        var resolved = zone.ResolveLocal(local, Resolver).ToInstant();
        interval = zone.GetZoneInterval(resolved);
        return UnixMicros.FromInstant(resolved);
    }

    private static (LocalDateTime Start, LocalDateTime End) LocalBounds(OpeningWindow window, LocalDate date)
    {
        var start = date + window.Start;
        LocalDateTime end;
        if (window.End == window.Start)
        {
            end = start.PlusDays(1);
        }
        else if (window.End == EndOfDay)
        {
            end = date.PlusDays(1).AtMidnight();
        }
        else if (window.End < window.Start)
        {
            end = date.PlusDays(1) + window.End;
        }
        else
        {
            end = date + window.End;
        }

        return (start, end);
    }

    /// <summary>Whether the store is open at <paramref name="instant"/>.</summary>
    public static bool IsOpen(WeeklySchedule schedule, DateTimeZone zone, long instant)
    {
        var ranges = new List<TimeRange>(4);
        Expand(schedule, zone, instant, instant + 1, ranges);
        return ranges.Count > 0;
    }

    /// <summary>The zone for a stored name: the default one for a missing or unknown name.</summary>
    public static DateTimeZone ZoneOrDefault(string? zoneId) =>
        zoneId is null ? DefaultZone : DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DefaultZone;

    private static long ToMicros(LocalDateTime local, DateTimeZone zone) =>
        UnixMicros.FromInstant(zone.ResolveLocal(local, Resolver).ToInstant());

    private static void MergeInPlace(List<TimeRange> ranges, int first)
    {
        var count = ranges.Count - first;
        if (count < 2)
        {
            return;
        }

        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ranges)[first..];
        span.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var write = 0;
        for (var read = 1; read < span.Length; read++)
        {
            if (span[read].Start <= span[write].End)
            {
                if (span[read].End > span[write].End)
                {
                    span[write] = span[write] with { End = span[read].End };
                }
            }
            else
            {
                span[++write] = span[read];
            }
        }

        ranges.RemoveRange(first + write + 1, count - write - 1);
    }
}
