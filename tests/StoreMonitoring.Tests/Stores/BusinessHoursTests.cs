using NodaTime;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Stores;

public sealed class BusinessHoursTests
{
    private static readonly DateTimeZone Chicago = DateTimeZoneProviders.Tzdb["America/Chicago"];
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly DateTimeZone Honolulu = DateTimeZoneProviders.Tzdb["Pacific/Honolulu"];

    // 2024-10-07 is a Monday (day 0).
    private static readonly LocalDate Monday = new(2024, 10, 7);

    private static OpeningWindow Window(int day, string start, string end) =>
        new(day, LocalTime.FromSecondsSinceMidnight((int)TimeSpan.Parse(start).TotalSeconds), LocalTime.FromSecondsSinceMidnight((int)TimeSpan.Parse(end).TotalSeconds));

    private static List<TimeRange> Expand(WeeklySchedule schedule, DateTimeZone zone, LocalDateTime from, LocalDateTime to)
    {
        var result = new List<TimeRange>();
        BusinessHours.Expand(schedule, zone, Micros(from, zone), Micros(to, zone), result);
        return result;
    }

    private static long Micros(LocalDateTime local, DateTimeZone zone) => UnixMicros.FromInstant(local.InZoneStrictly(zone).ToInstant());

    private static string Local(long micros, DateTimeZone zone) =>
        UnixMicros.ToInstant(micros).InZone(zone).ToString("yyyy-MM-dd HH:mm o<g>", System.Globalization.CultureInfo.InvariantCulture);

    private static string[] Describe(List<TimeRange> ranges, DateTimeZone zone) =>
        [.. ranges.Select(r => $"{Local(r.Start, zone)} .. {Local(r.End, zone)}")];

    [Fact]
    public void A_simple_day_window_maps_to_local_wall_clock()
    {
        var ranges = Expand(new WeeklySchedule([Window(0, "09:00", "17:00")]), Chicago, Monday.AtMidnight(), Monday.PlusDays(7).AtMidnight());
        Assert.Equal(["2024-10-07 09:00 -05 .. 2024-10-07 17:00 -05"], Describe(ranges, Chicago));
    }

    [Fact]
    public void End_before_start_runs_past_midnight_into_the_next_day()
    {
        var ranges = Expand(new WeeklySchedule([Window(4, "18:00", "02:00")]), Chicago, Monday.AtMidnight(), Monday.PlusDays(7).AtMidnight());
        Assert.Equal(["2024-10-11 18:00 -05 .. 2024-10-12 02:00 -05"], Describe(ranges, Chicago));
    }

    [Fact]
    public void An_overnight_window_from_the_day_before_the_range_is_clipped_not_lost()
    {
        // Sunday 22:00 - Monday 03:00: the range starts Monday at midnight.
        var ranges = Expand(new WeeklySchedule([Window(6, "22:00", "03:00")]), Chicago, Monday.AtMidnight(), Monday.PlusDays(1).AtMidnight());
        Assert.Equal(["2024-10-07 00:00 -05 .. 2024-10-07 03:00 -05"], Describe(ranges, Chicago));
    }

    [Fact]
    public void Several_windows_a_day_stay_apart_and_overlapping_ones_merge()
    {
        var schedule = new WeeklySchedule([Window(1, "08:00", "11:00"), Window(1, "10:30", "12:00"), Window(1, "17:00", "21:00"), Window(1, "12:00", "12:30")]);
        var ranges = Expand(schedule, Chicago, Monday.AtMidnight(), Monday.PlusDays(7).AtMidnight());
        Assert.Equal(["2024-10-08 08:00 -05 .. 2024-10-08 12:30 -05", "2024-10-08 17:00 -05 .. 2024-10-08 21:00 -05"], Describe(ranges, Chicago));
    }

    [Fact]
    public void An_end_of_23_59_59_means_until_midnight()
    {
        var ranges = Expand(new WeeklySchedule([Window(2, "00:00:00", "23:59:59")]), Chicago, Monday.AtMidnight(), Monday.PlusDays(7).AtMidnight());
        var range = Assert.Single(ranges);
        Assert.Equal(UnixMicros.PerDay, range.Length);
        Assert.Equal("2024-10-09 00:00 -05 .. 2024-10-10 00:00 -05", Describe(ranges, Chicago)[0]);
    }

    [Fact]
    public void Every_day_until_midnight_joins_into_one_range_across_days()
    {
        var schedule = new WeeklySchedule(Enumerable.Range(0, 7).Select(d => Window(d, "00:00:00", "23:59:59")));
        var ranges = Expand(schedule, Chicago, Monday.AtMidnight(), Monday.PlusDays(7).AtMidnight());
        var range = Assert.Single(ranges);
        Assert.Equal(7 * UnixMicros.PerDay, range.Length);
    }

    [Fact]
    public void End_equal_to_start_means_open_24_hours_from_start()
    {
        var ranges = Expand(new WeeklySchedule([Window(3, "06:00", "06:00")]), Chicago, Monday.AtMidnight(), Monday.PlusDays(7).AtMidnight());
        Assert.Equal(["2024-10-10 06:00 -05 .. 2024-10-11 06:00 -05"], Describe(ranges, Chicago));
    }

    [Fact]
    public void Days_without_rows_are_closed()
    {
        var ranges = Expand(new WeeklySchedule([Window(0, "09:00", "17:00")]), Chicago, Monday.PlusDays(1).AtMidnight(), Monday.PlusDays(7).AtMidnight());
        Assert.Empty(ranges);
    }

    [Fact]
    public void No_rows_at_all_means_open_around_the_clock()
    {
        var ranges = Expand(WeeklySchedule.AlwaysOpen, Chicago, Monday.AtMidnight(), Monday.PlusDays(7).AtMidnight());
        var range = Assert.Single(ranges);
        Assert.Equal(7 * UnixMicros.PerDay, range.Length);
    }

    [Theory]
    [InlineData("America/Chicago")]
    [InlineData("America/New_York")]
    public void Spring_forward_week_has_an_hour_less_and_a_skipped_opening_moves_forward(string zoneId)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        // US DST starts Sunday 2024-03-10 at 02:00 local: 02:00-02:59 does not exist.
        var monday = new LocalDate(2024, 3, 4);
        var daily = new WeeklySchedule(Enumerable.Range(0, 7).Select(d => Window(d, "00:00:00", "23:59:59")));
        var week = Expand(daily, zone, monday.AtMidnight(), monday.PlusDays(7).AtMidnight());
        Assert.Equal(7 * UnixMicros.PerDay - UnixMicros.PerHour, week.Sum(r => r.Length));

        // Opening at 02:30 on the Sunday is skipped: it moves forward by the gap, to 03:30 DST.
        var ranges = Expand(new WeeklySchedule([Window(6, "02:30", "10:00")]), zone, monday.AtMidnight(), monday.PlusDays(7).AtMidnight());
        var range = Assert.Single(ranges);
        Assert.Equal("2024-03-10 03:30", Local(range.Start, zone)[..16]);
        Assert.Equal(6.5 * UnixMicros.PerHour, range.Length);
    }

    [Theory]
    [InlineData("America/Chicago")]
    [InlineData("America/New_York")]
    public void Fall_back_week_has_an_hour_more_and_an_ambiguous_time_takes_the_earlier_instant(string zoneId)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        // US DST ends Sunday 2024-11-03 at 02:00 local: 01:00-01:59 happens twice.
        var monday = new LocalDate(2024, 10, 28);
        var daily = new WeeklySchedule(Enumerable.Range(0, 7).Select(d => Window(d, "00:00:00", "23:59:59")));
        var week = Expand(daily, zone, monday.AtMidnight(), monday.PlusDays(7).AtMidnight());
        Assert.Equal(7 * UnixMicros.PerDay + UnixMicros.PerHour, week.Sum(r => r.Length));

        // 01:30-03:00 on the Sunday starts at the first 01:30 (daylight time): 2.5 hours long.
        var ranges = Expand(new WeeklySchedule([Window(6, "01:30", "03:00")]), zone, monday.AtMidnight(), monday.PlusDays(7).AtMidnight());
        var range = Assert.Single(ranges);
        Assert.Equal(2.5 * UnixMicros.PerHour, range.Length);
        Assert.Equal(zone.MapLocal(new LocalDateTime(2024, 11, 3, 1, 30)).First().ToInstant(), UnixMicros.ToInstant(range.Start));
    }

    [Fact]
    public void Honolulu_has_no_dst_and_a_fixed_offset()
    {
        var monday = new LocalDate(2024, 3, 4);
        var ranges = Expand(new WeeklySchedule([Window(6, "09:00", "17:00")]), Honolulu, monday.AtMidnight(), monday.PlusDays(7).AtMidnight());
        var range = Assert.Single(ranges);
        Assert.Equal(8 * UnixMicros.PerHour, range.Length);
        Assert.Equal(new DateTimeOffset(2024, 3, 10, 19, 0, 0, TimeSpan.Zero), UnixMicros.ToDateTimeOffset(range.Start));
    }

    [Fact]
    public void The_same_local_hours_are_different_instants_in_different_zones()
    {
        var schedule = new WeeklySchedule([Window(0, "09:00", "17:00")]);
        var from = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 6, 0, 0));
        var to = from + 3 * UnixMicros.PerDay;
        var chicago = new List<TimeRange>();
        var newYork = new List<TimeRange>();
        BusinessHours.Expand(schedule, Chicago, from, to, chicago);
        BusinessHours.Expand(schedule, NewYork, from, to, newYork);
        Assert.Equal(UnixMicros.PerHour, chicago[0].Start - newYork[0].Start);
    }

    [Fact]
    public void Ranges_are_clipped_to_the_requested_span()
    {
        var schedule = new WeeklySchedule([Window(0, "09:00", "17:00")]);
        var from = Micros(Monday.At(new LocalTime(12, 0)), Chicago);
        var to = Micros(Monday.At(new LocalTime(13, 15)), Chicago);
        var ranges = new List<TimeRange>();
        BusinessHours.Expand(schedule, Chicago, from, to, ranges);
        Assert.Equal([new TimeRange(from, to)], ranges);
    }

    // The bulk path maps most local times by the offset of the zone interval the previous one fell
    // in; over whole years (every change of offset inside), it must give what the resolver gives
    // window by window.
    [Theory]
    [InlineData("America/Chicago", 2024)]
    [InlineData("Europe/London", 2023)]
    [InlineData("Australia/Lord_Howe", 2024)]
    [InlineData("Pacific/Apia", 2011)]
    [InlineData("America/Santiago", 2022)]
    [InlineData("Asia/Kolkata", 2024)]
    public void A_year_expanded_at_once_equals_each_window_resolved_on_its_own(string zoneId, int year)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var windows = Enumerable.Range(0, 7).SelectMany(d => new[]
        {
            Window(d, "00:30", "02:30"), Window(d, "09:00", "12:00"), Window(d, "13:00", "17:45"), Window(d, "22:00", "01:15"),
        }).ToArray();
        var schedule = new WeeklySchedule(windows);
        var from = UnixMicros.FromInstant(Instant.FromUtc(year, 1, 1, 0, 0));
        var to = UnixMicros.FromInstant(Instant.FromUtc(year + 1, 1, 1, 0, 0));

        var atOnce = new List<TimeRange>();
        BusinessHours.Expand(schedule, zone, from, to, atOnce);

        var oneByOne = new List<TimeRange>();
        var first = UnixMicros.ToInstant(from).InZone(zone).Date.PlusDays(-1);
        var last = UnixMicros.ToInstant(to).InZone(zone).Date;
        var checkedWindows = 0;
        for (var date = first; date <= last; date = date.PlusDays(1))
        {
            foreach (var window in schedule.On((int)date.DayOfWeek - 1))
            {
                var range = BusinessHours.ToRange(window, date, zone);
                checkedWindows++;
                if (Math.Min(range.End, to) > Math.Max(range.Start, from))
                {
                    oneByOne.Add(new TimeRange(Math.Max(range.Start, from), Math.Min(range.End, to)));
                }
            }
        }

        Assert.True(checkedWindows > 4 * 365, $"{checkedWindows} windows checked");
        Assert.Equal(Merge(oneByOne), atOnce);
    }

    private static List<TimeRange> Merge(List<TimeRange> ranges)
    {
        var merged = new List<TimeRange>();
        foreach (var range in ranges.OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End)
            {
                merged[^1] = new TimeRange(merged[^1].Start, Math.Max(merged[^1].End, range.End));
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged;
    }
}
