using StoreMonitoring.Reports.Estimation;
using static StoreMonitoring.Tests.Reports.EstimatorScenario;

namespace StoreMonitoring.Tests.Reports;

/// <summary>The original service's method, on cases small enough to compute by hand.</summary>
public sealed class RatioEstimatorTests
{
    // 2024-10-07 is a Monday.
    [Fact]
    public void Each_window_uses_the_share_of_its_own_in_hours_polls()
    {
        var result = Chicago()
            .Poll("2024-10-07 11:30", true)
            .Poll("2024-10-07 11:45", false)
            .Poll("2024-10-07 06:00", true)
            .Poll("2024-10-03 10:00", false)
            .Estimate("2024-10-07 12:00", EstimationMethod.Ratio);

        Assert.Equal(30, Minutes.Of(result.LastHour.EstimatedUptime));
        Assert.Equal(30, Minutes.Of(result.LastHour.EstimatedDowntime));
        Assert.Equal(16 * 60, Minutes.Of(result.LastDay.EstimatedUptime), 6);
        Assert.Equal(8 * 60, Minutes.Of(result.LastDay.EstimatedDowntime), 6);
        Assert.Equal(0.5 * 168 * 60, Minutes.Of(result.LastWeek.EstimatedUptime), 6);
        Assert.Equal(2, result.LastHour.Polls);
        Assert.Equal(4, result.LastWeek.Polls);
    }

    [Fact]
    public void An_hour_without_polls_borrows_the_day_share()
    {
        var result = Chicago()
            .Poll("2024-10-07 08:00", true)
            .Poll("2024-10-07 09:00", true)
            .Poll("2024-10-07 10:00", false)
            .Poll("2024-10-07 10:30", true)
            .Estimate("2024-10-07 12:00", EstimationMethod.Ratio);

        Assert.Equal(45, Minutes.Of(result.LastHour.EstimatedUptime));
        Assert.Equal(15, Minutes.Of(result.LastHour.EstimatedDowntime));
        Assert.Equal(0, result.LastHour.Polls);
    }

    [Fact]
    public void A_day_without_polls_borrows_the_week_share()
    {
        var result = Chicago()
            .Poll("2024-10-02 08:00", true)
            .Poll("2024-10-03 08:00", false)
            .Poll("2024-10-04 08:00", false)
            .Poll("2024-10-05 08:00", false)
            .Estimate("2024-10-07 12:00", EstimationMethod.Ratio);

        Assert.Equal(0.25 * 24 * 60, Minutes.Of(result.LastDay.EstimatedUptime), 6);
        Assert.Equal(15, Minutes.Of(result.LastHour.EstimatedUptime), 6);
    }

    [Fact]
    public void A_week_without_polls_takes_the_state_of_the_latest_poll_before_it()
    {
        var up = Chicago().Poll("2024-09-20 08:00", false).Poll("2024-09-25 08:00", true).Estimate("2024-10-07 12:00", EstimationMethod.Ratio);
        Assert.Equal(168 * 60, Minutes.Of(up.LastWeek.EstimatedUptime), 6);
        Assert.Equal(60, Minutes.Of(up.LastHour.EstimatedUptime));

        var down = Chicago().Poll("2024-09-20 08:00", true).Poll("2024-09-25 08:00", false).Estimate("2024-10-07 12:00", EstimationMethod.Ratio);
        Assert.Equal(0, down.LastWeek.EstimatedUptime);
        Assert.Equal(168 * 60, Minutes.Of(down.LastWeek.EstimatedDowntime), 6);
    }

    [Fact]
    public void Polls_outside_business_hours_do_not_count()
    {
        // Open 09:00-17:00 on weekdays; the inactive poll at 20:00 is after closing.
        var result = Chicago(Open(0, "09:00", "17:00"), Open(1, "09:00", "17:00"), Open(2, "09:00", "17:00"), Open(3, "09:00", "17:00"), Open(4, "09:00", "17:00"))
            .Poll("2024-10-07 10:00", true)
            .Poll("2024-10-07 20:00", false)
            .Estimate("2024-10-07 21:00", EstimationMethod.Ratio);

        Assert.Equal(0, result.LastHour.Business);
        Assert.Equal(8 * 60, Minutes.Of(result.LastDay.EstimatedUptime), 6);
        Assert.Equal(0, result.LastDay.EstimatedDowntime);
        Assert.Equal(1, result.LastDay.Polls);
    }

    [Fact]
    public void Uptime_plus_downtime_is_the_business_time_exactly()
    {
        var result = Chicago(Open(0, "09:00", "12:00"))
            .Poll("2024-10-07 09:10", true)
            .Poll("2024-10-07 10:10", false)
            .Poll("2024-10-07 11:10", true)
            .Estimate("2024-10-07 12:00", EstimationMethod.Ratio);

        foreach (var window in new[] { result.LastHour, result.LastDay, result.LastWeek })
        {
            Assert.Equal(window.Business, window.EstimatedUptime + window.EstimatedDowntime);
        }

        Assert.Equal(120, Minutes.Of(result.LastDay.EstimatedUptime), 6);
    }
}
