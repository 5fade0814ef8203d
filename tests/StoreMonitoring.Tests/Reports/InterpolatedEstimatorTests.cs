using StoreMonitoring.Reports.Estimation;
using static StoreMonitoring.Tests.Reports.EstimatorScenario;

namespace StoreMonitoring.Tests.Reports;

/// <summary>The default method on cases with exact expected minutes (horizon 90 min, midpoint switch).</summary>
public sealed class InterpolatedEstimatorTests
{
    private static readonly EstimatorSettings Defaults = new() { HorizonMinutes = 90, SwitchPoint = 0.5 };

    [Fact]
    public void The_state_switches_halfway_between_two_polls()
    {
        // Open 09:00-12:00; active at 10:14, inactive at 11:15: the switch is at 10:44:30.
        var result = Chicago(Open(0, "09:00", "12:00"))
            .Poll("2024-10-07 10:14", true)
            .Poll("2024-10-07 11:15", false)
            .Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(104.5, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(75.5, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(0, result.LastDay.Unknown);
        Assert.Equal(0, Minutes.Of(result.LastHour.Uptime));
        Assert.Equal(60, Minutes.Of(result.LastHour.Downtime));
        Assert.Equal(2, result.LastDay.Polls);
        Assert.Equal(1, result.LastHour.Polls);
    }

    [Fact]
    public void Polls_before_the_window_cover_its_start_up_to_the_horizon()
    {
        // Last poll 100 minutes before now: it covers the hour up to 10 minutes before now.
        var result = Chicago()
            .Poll("2024-10-07 08:00", false)
            .Poll("2024-10-07 10:20", true)
            .Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(50, Minutes.Of(result.LastHour.Uptime));
        Assert.Equal(10, Minutes.Of(result.LastHour.Unknown));
        Assert.Equal(0, result.LastHour.Downtime);
        Assert.Equal(1, result.LastHour.Polls);
    }

    [Fact]
    public void A_single_poll_covers_the_horizon_around_it_and_the_rest_is_extrapolated()
    {
        var result = Chicago()
            .Poll("2024-10-07 11:30", true)
            .Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(60, Minutes.Of(result.LastHour.Uptime));
        Assert.Equal(120, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(22 * 60, Minutes.Of(result.LastDay.Unknown));
        // The only evidence says "up", so the unknown time is shared out as up.
        Assert.Equal(24 * 60, Minutes.Of(result.LastDay.EstimatedUptime));
    }

    [Fact]
    public void Polls_only_outside_business_hours_still_decide_the_state_inside()
    {
        // Open 09:00-12:00; active at 08:30, inactive at 12:30. Each poll reaches 90 minutes into
        // the shift: up 09:00-10:00, down 11:00-12:00, and the hour between is unknown.
        var result = Chicago(Open(0, "09:00", "12:00"))
            .Poll("2024-10-07 08:30", true)
            .Poll("2024-10-07 12:30", false)
            .Estimate("2024-10-07 13:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(60, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(60, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(60, Minutes.Of(result.LastDay.Unknown));
        Assert.Equal(90, Minutes.Of(result.LastDay.EstimatedUptime));
        Assert.Equal(0, result.LastHour.Business);
    }

    [Fact]
    public void Time_far_from_any_poll_is_unknown_and_shared_out_by_the_known_share()
    {
        // Polls at 06:00 (up) and 12:00 (down): 3 hours each side of the midpoint, but only 90
        // minutes from a poll are known; 06:00-07:30 up, 10:30-12:00 down, 07:30-10:30 unknown.
        var result = Chicago(Open(0, "06:00", "12:00"))
            .Poll("2024-10-07 06:00", true)
            .Poll("2024-10-07 12:00", false)
            .Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(90, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(90, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(180, Minutes.Of(result.LastDay.Unknown));
        Assert.Equal(180, Minutes.Of(result.LastDay.EstimatedUptime));
        Assert.Equal(180, Minutes.Of(result.LastDay.EstimatedDowntime));
    }

    [Fact]
    public void A_day_window_across_midnight_counts_both_evenings()
    {
        // Open 18:00-02:00 every day; now is Tuesday 01:00, so the day window holds
        // Monday 01:00-02:00 (the end of Sunday's shift) and Monday 18:00 - Tuesday 01:00.
        var hours = Enumerable.Range(0, 7).Select(d => Open(d, "18:00", "02:00")).ToArray();
        var result = Chicago(hours)
            .Poll("2024-10-07 01:30", true)
            .Poll("2024-10-07 19:00", true)
            .Poll("2024-10-07 21:00", false)
            .Poll("2024-10-08 00:30", true)
            .Estimate("2024-10-08 01:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(8 * 60, Minutes.Of(result.LastDay.Business));
        // 01:00-02:00 up; 18:00-20:00 up; 20:00-22:30 down (to 90 minutes after 21:00), 22:30-23:00
        // unknown; 23:00-01:00 up (the 00:30 poll covers 90 minutes back, and to now).
        Assert.Equal(60 + 120 + 120, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(150, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(30, Minutes.Of(result.LastDay.Unknown));
    }

    [Fact]
    public void A_night_shift_across_the_fall_back_change_lasts_an_hour_longer()
    {
        // Open 00:00-03:00 daily. On Sunday 2024-11-03 01:00-02:00 happens twice, so the shift
        // lasts 4 hours; polls at 00:10 CDT (up) and 02:30 CST (down) are 3h20m apart.
        var scenario = Chicago(Enumerable.Range(0, 7).Select(d => Open(d, "00:00", "03:00")).ToArray())
            .Poll("2024-11-03 00:10", true)
            .Poll("2024-11-03 02:30", false);
        var result = scenario.Estimate("2024-11-03 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(4 * 60, Minutes.Of(result.LastDay.Business));
        // Up from 00:00 CDT to 90 minutes after the first poll, down from 90 minutes before the
        // second poll to 03:00 CST; the 20 minutes between are further than the horizon from both.
        Assert.Equal(100, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(120, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(20, Minutes.Of(result.LastDay.Unknown));
    }

    [Fact]
    public void A_store_without_hours_rows_is_open_around_the_clock()
    {
        var result = Chicago().Poll("2024-10-07 11:00", false).Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);
        Assert.Equal(168 * 60, Minutes.Of(result.LastWeek.Business));
        Assert.Equal(60, Minutes.Of(result.LastHour.Downtime));
    }

    [Fact]
    public void Carrying_forward_keeps_the_earlier_state_until_the_next_poll()
    {
        var result = Chicago(Open(0, "09:00", "12:00"))
            .Poll("2024-10-07 10:14", true)
            .Poll("2024-10-07 11:15", false)
            .Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, new EstimatorSettings { HorizonMinutes = 90, SwitchPoint = 1 });

        Assert.Equal(135, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(45, Minutes.Of(result.LastDay.Downtime));
    }
}
