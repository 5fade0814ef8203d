using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports;

/// <summary>
/// A report window is a value in a list: a window added to the list alone is computed, rounded
/// and printed through the same path as the standard three.
/// </summary>
public sealed class ReportWindowListTests
{
    private static readonly ReportWindow LastFourHours = new("last_4_hours", 4 * UnixMicros.PerHour, UnixMicros.PerHour, "hours", "four_hours", UnknownToLikelier: false);

    private static readonly IReadOnlyList<ReportWindow> WithFourHours = [ReportWindow.LastHour, LastFourHours, ReportWindow.LastDay, ReportWindow.LastWeek];

    private static readonly StoreProfile Store = new(1, "store-1", DateTimeZone.Utc, WeeklySchedule.AlwaysOpen);

    private static readonly long Now = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 7, 12, 0));

    /// <summary>A poll every 10 minutes for the week: active until 3 hours before now, inactive since.</summary>
    private static Poll[] DownForThreeHours()
    {
        var polls = new List<Poll>();
        for (var at = Now - 7 * UnixMicros.PerDay; at <= Now; at += 10 * UnixMicros.PerMinute)
        {
            polls.Add(new Poll(at, at < Now - 3 * UnixMicros.PerHour));
        }

        return [.. polls];
    }

    [Fact]
    public void An_extra_window_in_the_list_is_computed_by_the_ratio_method()
    {
        var uptime = StoreReport.Compute(DownForThreeHours(), Store, new ReportWindows(Now, WithFourHours), EstimationMethod.Ratio, new EstimatorSettings());

        var figures = ReportCsv.Figures(uptime);
        Assert.Equal(WithFourHours, figures.Windows);
        // 25 polls from 4 hours before now to now, both ends included: 6 active, 19 inactive.
        Assert.Equal(25, uptime[LastFourHours].Polls);
        Assert.Equal(WindowFigures.Hundredths(4 * UnixMicros.PerHour * 6 / 25, UnixMicros.PerHour), figures[1].EstimatedUptime);
        Assert.Equal(400, figures[1].Business);
        Assert.Equal(400 - figures[1].EstimatedUptime, figures[1].EstimatedDowntime);
    }

    [Fact]
    public void An_extra_window_leaves_the_other_windows_figures_as_they_were()
    {
        var polls = DownForThreeHours();
        var settings = new EstimatorSettings();
        var standard = StoreReport.Compute(polls, Store, new ReportWindows(Now), EstimationMethod.Interpolated, settings);
        var extended = StoreReport.Compute(polls, Store, new ReportWindows(Now, WithFourHours), EstimationMethod.Interpolated, settings);

        Assert.Equal(4, extended.Count);
        foreach (var window in ReportWindow.Standard)
        {
            Assert.Equal(standard[window], extended[window]);
        }

        // Interpolated: three hours down, the hour before them up, give or take the switch between two polls.
        var four = extended[LastFourHours];
        Assert.Equal(4 * UnixMicros.PerHour, four.Business);
        Assert.Equal(four.Business, four.Uptime + four.Downtime + four.Unknown);
        Assert.InRange(four.Downtime, 3 * UnixMicros.PerHour - 10 * UnixMicros.PerMinute, 3 * UnixMicros.PerHour + 10 * UnixMicros.PerMinute);
        Assert.InRange(four.Uptime, 50 * UnixMicros.PerMinute, UnixMicros.PerHour + 10 * UnixMicros.PerMinute);
        Assert.True(standard.LastDay.Downtime > four.Downtime - UnixMicros.PerMinute);
    }

    [Fact]
    public void An_extra_window_gets_its_csv_columns_from_the_list()
    {
        var uptime = StoreReport.Compute(DownForThreeHours(), Store, new ReportWindows(Now, WithFourHours), EstimationMethod.Ratio, new EstimatorSettings());
        var writer = new StringWriter();
        ReportCsv.WriteHeader(writer, WithFourHours, extended: true);
        ReportCsv.WriteRow(writer, new StoreReportRow(Store.StoreId, uptime), extended: true);

        var lines = writer.ToString().Split('\n');
        var header = lines[0].Split(',');
        var row = lines[1].Split(',');
        Assert.Equal(1 + 5 * 4, header.Length);
        Assert.Equal(header.Length, row.Length);
        Assert.Equal("uptime_last_4_hours", header[2]);
        Assert.Equal("downtime_last_4_hours", header[6]);
        Assert.Equal("polls_last_4_hours", header[18]);
        Assert.Equal(WindowFigures.Format(ReportCsv.Figures(uptime)[1].EstimatedUptime), row[2]);
        Assert.Equal("25", row[18]);
    }

    [Fact]
    public void The_standard_list_prints_the_original_seven_columns()
    {
        Assert.Equal(
            "store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week",
            ReportCsv.HeaderFor(ReportWindow.Standard, extended: false));
    }

    [Fact]
    public void A_list_out_of_order_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ReportWindows(Now, [ReportWindow.LastDay, ReportWindow.LastHour]));
        Assert.Contains("narrowest first", error.Message, StringComparison.Ordinal);
    }
}
