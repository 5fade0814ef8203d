using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports;

/// <summary>The README's worked examples, computed by the production path, so the README cannot drift from the code.</summary>
public sealed class ReadmeExampleTests
{
    private static readonly DateTimeZone Chicago = DateTimeZoneProviders.Tzdb["America/Chicago"];

    // Monday 14 October 2024, America/Chicago (UTC-5 then).
    private static long At(int hour, int minute) =>
        UnixMicros.FromInstant(new LocalDateTime(2024, 10, 14, hour, minute).InZoneStrictly(Chicago).ToInstant());

    private static (WindowFigures Hour, WindowFigures Day, WindowFigures Week) Figures(StoreProfile store, EstimationMethod method, params Poll[] polls) =>
        ReportCsv.Figures(StoreReport.Compute(polls, store, new ReportWindows(At(12, 0)), method, new EstimatorSettings()));

    [Fact]
    public void The_interpolated_worked_example_gives_the_figures_the_readme_shows()
    {
        var store = new StoreProfile(1, "example", Chicago, new WeeklySchedule([new OpeningWindow(0, new LocalTime(9, 0), new LocalTime(12, 0))]));
        var (hour, day, week) = Figures(store, EstimationMethod.Interpolated, new Poll(At(10, 14), true), new Poll(At(11, 15), false));

        // JSON: 110 min up, 50 min down, 20 min unknown, in hours to two decimals that add up.
        Assert.Equal((183L, 83L, 34L, 300L), (day.Uptime, day.Downtime, day.Unknown, day.Business));
        Assert.Equal(day, week);
        // CSV: the unknown 20 minutes shared out by the known up share 110/160.
        Assert.Equal((206L, 94L), (day.EstimatedUptime, day.EstimatedDowntime));
        // The last hour: 40 min down, 20 unknown, which go to the likelier state, up.
        Assert.Equal((0L, 4000L, 2000L), (hour.Uptime, hour.Downtime, hour.Unknown));
        Assert.Equal((2000L, 4000L), (hour.EstimatedUptime, hour.EstimatedDowntime));
    }

    [Fact]
    public void The_ratio_worked_example_gives_the_figures_the_readme_shows()
    {
        var store = new StoreProfile(1, "example", Chicago, WeeklySchedule.AlwaysOpen);
        var (hour, day, _) = Figures(store, EstimationMethod.Ratio, new Poll(At(11, 30), true), new Poll(At(11, 45), false));
        Assert.Equal((3000L, 3000L), (hour.EstimatedUptime, hour.EstimatedDowntime));

        var (_, withMorning, _) = Figures(store, EstimationMethod.Ratio, new Poll(At(6, 0), true), new Poll(At(11, 30), true), new Poll(At(11, 45), false));
        Assert.Equal((1600L, 800L), (withMorning.EstimatedUptime, withMorning.EstimatedDowntime));
    }
}
