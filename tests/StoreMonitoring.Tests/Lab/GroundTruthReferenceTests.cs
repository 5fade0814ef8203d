using NodaTime;
using NodaTime.TimeZones;
using StoreMonitoring.Lab.Generation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Lab;

/// <summary>
/// The generator's truth against a slow reference that shares none of its interval maths: it
/// walks every UTC second of the week, converts it to the store's local time with NodaTime and
/// checks the weekly windows as a person reading the rules would.
/// </summary>
/// <remarks>
/// <para>Exactness: the true timeline and business hours both change state only on whole UTC
/// seconds (local HH:MM:SS minus whole-minute offsets), so the state is constant within each
/// second and the reference can sum seconds exactly; the windows' ends fall inside a second (now
/// has microseconds), so the first and last second are weighted by their part inside.</para>
/// <para>DST: the rules are stated in local time, and local-time membership is what the
/// reference checks. It disagrees with <see cref="BusinessHours.Expand"/> by design only where
/// a window boundary falls in a skipped or repeated local hour (Expand moves a skipped boundary
/// forward and takes the earlier of a repeated one). Such instants lie within two hours of a
/// transition, so the reference counts every second within three hours of one as either open or
/// closed and checks the truth lies between the two totals; everywhere else it must be exact.</para>
/// </remarks>
public sealed class GroundTruthReferenceTests
{
    private static readonly LocalTime EndOfDay = new(23, 59, 59);

    public static TheoryData<ulong, string> Scenarios => new()
    {
        // No DST change; a fraction of a second in the end.
        { 11, "2024-10-14T23:30:00.123456Z" },
        // US clocks fall back on 2024-11-03 and spring forward on 2025-03-09, inside the last week.
        { 12, "2024-11-07T23:10:00Z" },
        { 13, "2025-03-13T23:45:00.5Z" },
        // The seed's own end date.
        { 14, "" },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Truth_matches_a_second_by_second_reference(ulong seed, string end)
    {
        long? endMicros = end.Length == 0 ? null : UnixMicros.FromInstant(NodaTime.Text.InstantPattern.ExtendedIso.Parse(end).Value);
        var world = GeneratedWorld.Create(new GeneratorOptions(Stores: 30, Days: 8, seed, endMicros));
        var directory = GeneratedFiles.TempDirectory();
        DataGenerator.Write(world, directory);

        var status = GeneratedFiles.Status(directory);
        var now = status.Max(s => s.At);
        var polled = status.Select(s => s.Store).ToHashSet();
        var zones = GeneratedFiles.Timezones(directory);
        var hours = GeneratedFiles.Hours(directory);
        var truth = GeneratedFiles.Figures(Path.Combine(directory, DataGenerator.TruthFileName));

        Assert.Equal(polled.Order(StringComparer.Ordinal), truth.Keys.Order(StringComparer.Ordinal));
        var exact = 0;
        foreach (var store in world.Stores.Where(s => polled.Contains(s.StoreId)))
        {
            var zone = zones.TryGetValue(store.StoreId, out var name) ? DateTimeZoneProviders.Tzdb[name] : DateTimeZoneProviders.Tzdb["America/Chicago"];
            var reference = Reference(hours.GetValueOrDefault(store.StoreId) ?? [], zone, store.Down, now);
            var figures = truth[store.StoreId];
            for (var w = 0; w < 3; w++)
            {
                var unit = w == 0 ? UnixMicros.PerMinute : UnixMicros.PerHour;
                var up = figures[w];
                var business = figures[w] + figures[w + 3];
                var r = reference[w];
                Assert.InRange(business, Hundredths(r.BusinessMin, unit), Hundredths(r.BusinessMax, unit));
                Assert.InRange(up, Hundredths(r.UpMin, unit), Hundredths(r.UpMax, unit));
                if (r.BusinessMin == r.BusinessMax)
                {
                    exact++;
                }
            }
        }

        // The bounds must not make the test vacuous: most windows see no DST change at all.
        Assert.True(exact >= polled.Count * 2, $"only {exact} windows were checked exactly");
    }

    private readonly record struct Bounds(long BusinessMin, long BusinessMax, long UpMin, long UpMax);

    /// <summary>Hour, day and week, in microseconds.</summary>
    private static Bounds[] Reference(List<GeneratedFiles.Window> windows, DateTimeZone zone, TimeRange[] down, long now)
    {
        foreach (var range in down)
        {
            Assert.True(range.Start % UnixMicros.PerSecond == 0 && range.End % UnixMicros.PerSecond == 0, "the timeline must change on whole seconds");
        }

        long[] starts = [now - UnixMicros.PerHour, now - UnixMicros.PerDay, now - 7 * UnixMicros.PerDay];
        var sums = new long[3, 4];
        var downIndex = 0;
        // The zone interval is looked up once per offset change rather than once per second: it is
        // the same conversion as instant.InZone(zone), only fast enough for a million seconds.
        var interval = zone.GetZoneInterval(Instant.FromUnixTimeTicks(FloorSecond(starts[2]) * 10));
        for (var second = FloorSecond(starts[2]); second < now; second += UnixMicros.PerSecond)
        {
            var instant = Instant.FromUnixTimeTicks(second * 10);
            if (!interval.Contains(instant))
            {
                interval = zone.GetZoneInterval(instant);
            }

            var open = IsOpen(windows, instant.WithOffset(interval.WallOffset).LocalDateTime);
            var uncertain = NearTransition(interval, instant);
            while (downIndex < down.Length && down[downIndex].End <= second)
            {
                downIndex++;
            }

            var up = downIndex >= down.Length || second < down[downIndex].Start;
            for (var w = 0; w < 3; w++)
            {
                var from = Math.Max(second, starts[w]);
                var to = Math.Min(second + UnixMicros.PerSecond, now);
                if (to <= from)
                {
                    continue;
                }

                var length = to - from;
                var certainlyOpen = open && !uncertain;
                var possiblyOpen = open || uncertain;
                sums[w, 0] += certainlyOpen ? length : 0;
                sums[w, 1] += possiblyOpen ? length : 0;
                sums[w, 2] += certainlyOpen && up ? length : 0;
                sums[w, 3] += possiblyOpen && up ? length : 0;
            }
        }

        return [.. Enumerable.Range(0, 3).Select(w => new Bounds(sums[w, 0], sums[w, 1], sums[w, 2], sums[w, 3]))];
    }

    /// <summary>The rules as written: end &lt; start runs past midnight, end = start is 24 hours, 23:59:59 is until midnight, no rows is always open.</summary>
    private static bool IsOpen(List<GeneratedFiles.Window> windows, LocalDateTime local)
    {
        if (windows.Count == 0)
        {
            return true;
        }

        var today = (int)local.DayOfWeek - 1;
        var yesterday = (today + 6) % 7;
        var time = local.TimeOfDay;
        foreach (var w in windows)
        {
            var allDay = w.End == w.Start;
            var untilMidnight = !allDay && w.End == EndOfDay;
            var wraps = !allDay && !untilMidnight && w.End < w.Start;
            if (w.Day == today && time >= w.Start && (allDay || untilMidnight || wraps || time < w.End))
            {
                return true;
            }

            if (w.Day == yesterday && (allDay || wraps) && time < w.End)
            {
                return true;
            }
        }

        return false;
    }

    private static bool NearTransition(ZoneInterval interval, Instant instant)
    {
        var margin = Duration.FromHours(3);
        return (interval.HasStart && instant - interval.Start < margin) || (interval.HasEnd && interval.End - instant <= margin);
    }

    private static long FloorSecond(long micros) => micros / UnixMicros.PerSecond * UnixMicros.PerSecond;

    /// <summary>Half away from zero, in decimal: the report's rounding, derived independently.</summary>
    private static long Hundredths(long micros, long unit) => (long)Math.Round((decimal)micros * 100 / unit, MidpointRounding.AwayFromZero);
}
