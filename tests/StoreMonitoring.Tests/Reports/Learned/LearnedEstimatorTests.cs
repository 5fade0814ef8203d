using CsCheck;
using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports.Learned;

/// <summary>The learned method's figures obey the invariants of every method, and are deterministic.</summary>
public sealed class LearnedEstimatorTests
{
    private static readonly string[] Zones = ["America/Chicago", "America/New_York", "America/Denver", "Pacific/Honolulu"];
    private static readonly long BaseNow = UnixMicros.FromInstant(Instant.FromUtc(2024, 11, 1, 0, 0));

    internal sealed record Case(StoreProfile Store, Poll[] Polls, long Now);

    private static readonly Gen<OpeningWindow> WindowGen =
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, 24 * 60 - 1], Gen.Int[0, 24 * 60 - 1], (day, start, end) =>
            new OpeningWindow(day, LocalTime.FromMinutesSinceMidnight(start), LocalTime.FromMinutesSinceMidnight(end)));

    private static readonly Gen<Case> CaseGen =
        Gen.Select(
            WindowGen.Array[0, 10],
            Gen.Int[0, Zones.Length - 1],
            Gen.Select(Gen.Long[-30 * UnixMicros.PerDay, 0], Gen.Bool).Array[1, 400],
            Gen.Long[0, 10 * UnixMicros.PerDay],
            (windows, zone, polls, shift) =>
            {
                var now = BaseNow + shift;
                var sorted = polls.Select(p => new Poll(now + p.Item1, p.Item2)).DistinctBy(p => p.At).OrderBy(p => p.At).ToArray();
                return new Case(new StoreProfile(1, "s", DateTimeZoneProviders.Tzdb[Zones[zone]], new WeeklySchedule(windows)), sorted, now);
            });

    private static StoreUptime Run(Case c, StoreReport.Buffers? buffers = null) =>
        StoreReport.Compute(c.Polls, c.Store, new ReportWindows(c.Now), EstimationMethod.Learned, new EstimatorSettings(), buffers);

    [Fact]
    public void Uptime_downtime_and_unknown_add_up_to_the_business_time_and_the_interval_holds_the_figure() =>
        CaseGen.Sample(c =>
        {
            var uptime = Run(c);
            foreach (var (w, start) in new[] { (uptime.LastHour, c.Now - UnixMicros.PerHour), (uptime.LastDay, c.Now - UnixMicros.PerDay), (uptime.LastWeek, c.Now - 7 * UnixMicros.PerDay) })
            {
                var hours = new List<TimeRange>();
                BusinessHours.Expand(c.Store.Schedule, c.Store.Zone, c.Now - 7 * UnixMicros.PerDay, c.Now + 1, hours);
                if (w.Uptime + w.Downtime + w.Unknown != w.Business || w.Business != new TimeRange(start, c.Now).OverlapWith(hours.ToArray()))
                {
                    return false;
                }

                if (w.Uptime < 0 || w.Downtime < 0 || w.EstimatedUptime != w.Uptime || w.Interval is not { } i || i.Low > w.Uptime || i.High < w.Uptime || i.Low < 0 || i.High > w.Business)
                {
                    return false;
                }
            }

            // The windows nest: the week holds the day, which holds the hour.
            return uptime.LastHour.Business <= uptime.LastDay.Business && uptime.LastDay.Business <= uptime.LastWeek.Business;
        }, iter: 300);

    [Fact]
    public void The_printed_figures_and_their_interval_add_up_after_rounding() =>
        CaseGen.Sample(c =>
        {
            var (hour, day, week) = ReportCsv.Figures(Run(c));
            return new[] { hour, day, week }.All(f =>
                f.Uptime + f.Downtime + f.Unknown == f.Business && f.EstimatedUptime + f.EstimatedDowntime == f.Business
                && f.UptimeLow <= f.EstimatedUptime && f.UptimeHigh >= f.EstimatedUptime && f.UptimeHigh <= f.Business);
        }, iter: 200);

    [Fact]
    public void The_same_input_gives_the_same_figures_whatever_store_the_buffers_served_before() =>
        Gen.Select(CaseGen, CaseGen).Sample((a, b) =>
        {
            var fresh = Run(a);
            var buffers = new StoreReport.Buffers();
            Run(b, buffers);
            return Run(a, buffers) == fresh && Run(a) == fresh;
        }, iter: 100);

    [Fact]
    public void A_store_polled_active_throughout_is_up_throughout_with_a_tight_interval()
    {
        var now = BaseNow;
        var polls = Enumerable.Range(0, 21 * 24).Select(h => new Poll(now - h * UnixMicros.PerHour, true)).Reverse().ToArray();
        var store = new StoreProfile(1, "s", DateTimeZoneProviders.Tzdb["America/Chicago"], new WeeklySchedule([]));
        var week = StoreReport.Compute(polls, store, new ReportWindows(now), EstimationMethod.Learned, new EstimatorSettings()).LastWeek;
        Assert.Equal(week.Business, week.Uptime);
        Assert.Equal(7 * UnixMicros.PerDay, week.Business);
        // 504 hours up and no failure seen: the 90 % interval is within an hour and a half of the whole week.
        Assert.InRange(week.Interval!.Value.Low, week.Business - 90 * UnixMicros.PerMinute, week.Business);
    }

    [Fact]
    public void Between_an_active_and_an_inactive_poll_the_switch_point_follows_the_stores_own_outages()
    {
        // Two stores, the same last two polls (active 10:00, inactive 11:00, now 11:00), open 24x7.
        // One has had long outages (down polls in runs), the other blips (lone down polls): the
        // first is expected to have gone down earlier in the gap, since its outages last longer.
        var now = BaseNow;
        var store = new StoreProfile(1, "s", DateTimeZoneProviders.Tzdb["America/Chicago"], new WeeklySchedule([]));
        Poll[] History(Func<int, bool> active) => [.. Enumerable.Range(0, 20 * 24).Select(h => new Poll(now - (20 * 24 - h + 1) * UnixMicros.PerHour, active(h)))];
        Poll[] tail = [new(now - UnixMicros.PerHour, true), new(now, false)];
        var sticky = History(h => h % 48 >= 12).Concat(tail).ToArray(); // 12 hours down every two days
        var flappy = History(h => h % 8 != 0).Concat(tail).ToArray();   // one lone down poll every 8 hours
        var windows = new ReportWindows(now);
        var stickyHour = StoreReport.Compute(sticky, store, windows, EstimationMethod.Learned, new EstimatorSettings()).LastHour;
        var flappyHour = StoreReport.Compute(flappy, store, windows, EstimationMethod.Learned, new EstimatorSettings()).LastHour;
        Assert.True(stickyHour.Uptime < flappyHour.Uptime, $"sticky {stickyHour.Uptime}, flappy {flappyHour.Uptime}");
    }
}
