using CsCheck;
using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports;

/// <summary>Properties that hold for any store, hours and polls, checked over generated inputs.</summary>
public sealed class EstimatorPropertyTests
{
    private static readonly string[] Zones = ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu", "America/Phoenix"];

    // Somewhere around the 2024 fall-back change, so that some weeks cross it.
    private static readonly long BaseNow = UnixMicros.FromInstant(Instant.FromUtc(2024, 11, 1, 0, 0));

    internal sealed record Case(WeeklySchedule Schedule, DateTimeZone Zone, Poll[] Polls, long Now, EstimatorSettings Settings, PollHistory History);

    private static readonly Gen<OpeningWindow> WindowGen =
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, 24 * 60 - 1], Gen.Int[0, 24 * 60 - 1], (day, start, end) =>
            new OpeningWindow(day, LocalTime.FromMinutesSinceMidnight(start), end == 24 * 60 - 1 ? new LocalTime(23, 59, 59) : LocalTime.FromMinutesSinceMidnight(end)));

    private static readonly Gen<Case> CaseGen =
        Gen.Select(
            WindowGen.Array[0, 12],
            Gen.Int[0, Zones.Length - 1],
            Gen.Select(Gen.Long[-9 * UnixMicros.PerDay, 0], Gen.Bool).Array[1, 120],
            Gen.Long[0, 10 * UnixMicros.PerDay],
            Gen.Int[5, 400],
            Gen.Int[0, 400],
            Gen.Int[0, 400],
            Gen.Select(Gen.Int[0, 500], Gen.Int[0, 500]),
            (windows, zone, polls, shift, horizon, downReach, closedReach, history) =>
            {
                var now = BaseNow + shift;
                var sorted = polls.Select(p => new Poll(now + p.Item1, p.Item2)).DistinctBy(p => p.At).OrderBy(p => p.At).ToArray();
                return new Case(new WeeklySchedule(windows), DateTimeZoneProviders.Tzdb[Zones[zone]], sorted, now,
                    new EstimatorSettings { HorizonMinutes = horizon, DownReachMinutes = downReach, ClosedInactiveReachMinutes = closedReach },
                    new PollHistory(Math.Max(history.Item1, history.Item2), Math.Min(history.Item1, history.Item2)));
            });

    private static StoreUptime Run(Case c, EstimationMethod method, Poll[]? polls = null)
    {
        var windows = new ReportWindows(c.Now);
        var hours = new List<TimeRange>();
        BusinessHours.Expand(c.Schedule, c.Zone, windows.WeekStart, windows.Now + 1, hours);
        return UptimeEstimator.Estimate(polls ?? c.Polls, hours.ToArray(), windows, method, c.Settings, c.History);
    }

    private static IEnumerable<WindowUptime> Windows(StoreUptime u) => [u.LastHour, u.LastDay, u.LastWeek];

    [Theory]
    [InlineData(EstimationMethod.Interpolated)]
    [InlineData(EstimationMethod.Ratio)]
    public void Uptime_and_downtime_add_up_to_the_business_time(EstimationMethod method) =>
        CaseGen.Sample(c =>
        {
            foreach (var w in Windows(Run(c, method)))
            {
                Assert.Equal(w.Business, w.EstimatedUptime + w.EstimatedDowntime);
                Assert.Equal(w.Business, w.Uptime + w.Downtime + w.Unknown);
                Assert.InRange(w.EstimatedUptime, 0, w.Business);
                Assert.InRange(w.Unknown, 0, w.Business);
            }
        }, iter: 300);

    [Theory]
    [InlineData(EstimationMethod.Interpolated)]
    [InlineData(EstimationMethod.Ratio)]
    public void Turning_one_inactive_poll_active_never_lowers_uptime(EstimationMethod method)
    {
        var checkedCases = 0;
        Gen.Select(CaseGen, Gen.Int[0, 1000]).Sample((c, pick) =>
        {
            var inactive = c.Polls.Select((p, i) => (p, i)).Where(x => !x.p.Active).Select(x => x.i).ToArray();
            if (inactive.Length == 0)
            {
                return;
            }

            Interlocked.Increment(ref checkedCases);

            var flipped = c.Polls.ToArray();
            var index = inactive[pick % inactive.Length];
            flipped[index] = flipped[index] with { Active = true };
            var before = Run(c, method);
            var after = Run(c, method, flipped);
            foreach (var (b, a) in Windows(before).Zip(Windows(after)))
            {
                Assert.True(a.EstimatedUptime >= b.EstimatedUptime, $"{b.EstimatedUptime} -> {a.EstimatedUptime}");
                Assert.True(a.Uptime >= b.Uptime);
            }
        }, iter: 300);
        // Cases without an inactive poll prove nothing: most of them must have one.
        Assert.True(checkedCases >= 250, $"only {checkedCases} of 300 cases had an inactive poll to flip");
    }

    [Fact]
    public void The_printed_figures_add_up_exactly_after_rounding() =>
        CaseGen.Sample(c =>
        {
            var (hour, day, week) = ReportCsv.Figures(Run(c, EstimationMethod.Interpolated));
            foreach (var f in new[] { hour, day, week })
            {
                Assert.Equal(f.Business, f.EstimatedUptime + f.EstimatedDowntime);
                Assert.Equal(f.Business, f.Uptime + f.Downtime + f.Unknown);
                Assert.True(f.Unknown >= 0 && f.EstimatedDowntime >= 0);
            }
        }, iter: 300);

    [Fact]
    public void Polls_long_before_the_week_only_matter_through_the_latest_of_them()
    {
        // The report keeps only the latest poll older than the week minus twice the horizon (and
        // the store's whole history in two counts, which both runs here share).
        var checkedCases = 0;
        CaseGen.Sample(c =>
        {
            var cutoff = new ReportWindows(c.Now).WeekStart - 2 * c.Settings.HorizonMicros;
            var older = c.Polls.Where(p => p.At < cutoff).ToArray();
            if (older.Length < 2)
            {
                return;
            }

            Interlocked.Increment(ref checkedCases);

            var trimmed = c.Polls.Where(p => p.At >= cutoff).Prepend(older[^1]).ToArray();
            Assert.Equal(Run(c, EstimationMethod.Interpolated), Run(c, EstimationMethod.Interpolated, trimmed));
            Assert.Equal(Run(c, EstimationMethod.Ratio), Run(c, EstimationMethod.Ratio, trimmed));
        }, iter: 300);
        Assert.True(checkedCases >= 200, $"only {checkedCases} of 300 cases had two polls before the cut-off");
    }

    [Theory]
    [InlineData(EstimationMethod.Interpolated)]
    [InlineData(EstimationMethod.Ratio)]
    public void Business_hours_expanded_from_further_back_change_nothing(EstimationMethod method) =>
        // The report expands hours from the week's start, the offline report from a day earlier;
        // the estimator must not care (an inactive poll made while closed looks for the closing
        // before it, which the longer list may know and the shorter not).
        CaseGen.Sample(c =>
        {
            var windows = new ReportWindows(c.Now);
            var wider = new List<TimeRange>();
            BusinessHours.Expand(c.Schedule, c.Zone, windows.WeekStart - UnixMicros.PerDay, windows.Now + 1, wider);
            Assert.Equal(Run(c, method), UptimeEstimator.Estimate(c.Polls, wider.ToArray(), windows, method, c.Settings, c.History));
        }, iter: 300);
}
