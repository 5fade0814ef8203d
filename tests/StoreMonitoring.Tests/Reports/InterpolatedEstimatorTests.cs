using StoreMonitoring.Reports.Estimation;
using static StoreMonitoring.Tests.Reports.EstimatorScenario;

namespace StoreMonitoring.Tests.Reports;

/// <summary>
/// The default method on cases with exact expected minutes: horizon 90 min, a lone inactive poll
/// reaches 25 min, an inactive poll made while closed does not reach into business hours.
/// </summary>
public sealed class InterpolatedEstimatorTests
{
    private static readonly EstimatorSettings Defaults = new() { HorizonMinutes = 90, DownReachMinutes = 25, ClosedInactiveReachMinutes = 0 };

    [Fact]
    public void A_lone_inactive_poll_covers_only_the_down_reach()
    {
        // Open 09:00-12:00; active at 10:14, inactive at 11:15. The inactive poll covers 25 minutes
        // each side (10:50-11:40), the active one the rest back to the opening (09:00-10:50), and
        // 11:40-12:00 is further than the down reach from the last poll: unknown.
        var result = Chicago(Open(0, "09:00", "12:00"))
            .Poll("2024-10-07 10:14", true)
            .Poll("2024-10-07 11:15", false)
            .Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(110, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(50, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(20, Minutes.Of(result.LastDay.Unknown));
        // The week's known up share is 110/160, so 13.75 of the 20 unknown minutes count as up.
        Assert.Equal(123.75, Minutes.Of(result.LastDay.EstimatedUptime));
        Assert.Equal(0, Minutes.Of(result.LastHour.Uptime));
        Assert.Equal(40, Minutes.Of(result.LastHour.Downtime));
        Assert.Equal(20, Minutes.Of(result.LastHour.Unknown));
        // The hour's unknown time goes wholly to the likelier state: up.
        Assert.Equal(20, Minutes.Of(result.LastHour.EstimatedUptime));
        Assert.Equal(2, result.LastDay.Polls);
        Assert.Equal(1, result.LastHour.Polls);
    }

    [Fact]
    public void A_run_of_inactive_polls_is_a_long_outage_and_switches_at_the_midpoint()
    {
        // Open 09:00-12:00; active at 09:30, inactive at 10:30 and 11:30. The inactive polls are
        // next to each other, so they reach the horizon: the switch is halfway, at 10:00, and the
        // last one covers up to now.
        var result = Chicago(Open(0, "09:00", "12:00"))
            .Poll("2024-10-07 09:30", true)
            .Poll("2024-10-07 10:30", false)
            .Poll("2024-10-07 11:30", false)
            .Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(60, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(120, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(0, result.LastDay.Unknown);
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
        Assert.Equal(60, Minutes.Of(result.LastHour.EstimatedUptime));
        Assert.Equal(1, result.LastHour.Polls);
        // Day: the inactive poll covers 07:35-08:25; the active one 08:50-11:50.
        Assert.Equal(50, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(180, Minutes.Of(result.LastDay.Uptime));
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
    public void An_inactive_poll_made_while_closed_says_nothing_about_business_time()
    {
        // Open 09:00-12:00; active at 08:30, inactive at 12:30 (closed). The active poll reaches
        // 90 minutes, into 09:00-10:00; the inactive one covers only closed time; 10:00-12:00 is
        // unknown and shared out by the only known state, up.
        var result = Chicago(Open(0, "09:00", "12:00"))
            .Poll("2024-10-07 08:30", true)
            .Poll("2024-10-07 12:30", false)
            .Estimate("2024-10-07 13:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(60, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(0, result.LastDay.Downtime);
        Assert.Equal(120, Minutes.Of(result.LastDay.Unknown));
        Assert.Equal(180, Minutes.Of(result.LastDay.EstimatedUptime));
        Assert.Equal(0, result.LastHour.Business);
    }

    [Fact]
    public void The_closed_reach_lets_a_closed_time_inactive_poll_cover_the_end_of_the_shift()
    {
        // As above with a 20-minute closed reach: the 12:30 poll covers 11:40-12:00 as well.
        var result = Chicago(Open(0, "09:00", "12:00"))
            .Poll("2024-10-07 08:30", true)
            .Poll("2024-10-07 12:30", false)
            .Estimate("2024-10-07 13:00", EstimationMethod.Interpolated, new EstimatorSettings { HorizonMinutes = 90, DownReachMinutes = 25, ClosedInactiveReachMinutes = 20 });

        Assert.Equal(60, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(20, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(100, Minutes.Of(result.LastDay.Unknown));
    }

    [Fact]
    public void Time_far_from_any_poll_is_unknown_and_shared_out_by_the_known_share()
    {
        // Open 06:00-12:00; active at 07:00, inactive at 11:00. Up 06:00-08:30 (90 minutes after
        // the poll), down 10:35-11:25 (25 minutes each side), unknown 08:30-10:35 and 11:25-12:00.
        var result = Chicago(Open(0, "06:00", "12:00"))
            .Poll("2024-10-07 07:00", true)
            .Poll("2024-10-07 11:00", false)
            .Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(150, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(50, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(160, Minutes.Of(result.LastDay.Unknown));
        // Known up share 150/200 = 0.75: 120 of the 160 unknown minutes count as up.
        Assert.Equal(270, Minutes.Of(result.LastDay.EstimatedUptime));
        Assert.Equal(90, Minutes.Of(result.LastDay.EstimatedDowntime));
        // The hour: down 11:00-11:25, and the 35 unknown minutes go to the likelier state, up.
        Assert.Equal(25, Minutes.Of(result.LastHour.Downtime));
        Assert.Equal(35, Minutes.Of(result.LastHour.EstimatedUptime));
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
        // 01:00-02:00 up; 18:00-20:30 up (the horizon after 19:00); 20:30-20:35 unknown; 20:35-21:25
        // down (the lone 21:00 poll's 25 minutes each side); 21:25-23:00 unknown; 23:00-01:00 up
        // (the 00:30 poll covers 90 minutes back, and to now).
        Assert.Equal(60 + 150 + 120, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(50, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(5 + 95, Minutes.Of(result.LastDay.Unknown));
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
        // Up from 00:00 CDT to 90 minutes after the first poll; down 25 minutes either side of the
        // second (02:05-02:55 CST); the 85 minutes between and 02:55-03:00 are unknown.
        Assert.Equal(100, Minutes.Of(result.LastDay.Uptime));
        Assert.Equal(50, Minutes.Of(result.LastDay.Downtime));
        Assert.Equal(90, Minutes.Of(result.LastDay.Unknown));
    }

    [Fact]
    public void A_store_without_hours_rows_is_open_around_the_clock()
    {
        var result = Chicago().Poll("2024-10-07 11:00", false).Estimate("2024-10-07 12:00", EstimationMethod.Interpolated, Defaults);
        Assert.Equal(168 * 60, Minutes.Of(result.LastWeek.Business));
        // The lone inactive poll covers 11:00-11:25 of the hour; all the known time is down, so
        // the other 35 minutes are estimated down too.
        Assert.Equal(25, Minutes.Of(result.LastHour.Downtime));
        Assert.Equal(35, Minutes.Of(result.LastHour.Unknown));
        Assert.Equal(60, Minutes.Of(result.LastHour.EstimatedDowntime));
    }

    [Fact]
    public void With_nothing_known_in_the_week_the_history_share_is_extrapolated()
    {
        // The only poll the report keeps is eight days old, so nothing in the week is known.
        var scenario = Chicago().Poll("2024-09-30 10:00", false);
        var withHistory = scenario.Estimate("2024-10-08 12:00", EstimationMethod.Interpolated, Defaults, new PollHistory(Polls: 4, Active: 3));
        var without = scenario.Estimate("2024-10-08 12:00", EstimationMethod.Interpolated, Defaults);

        Assert.Equal(168 * 60, Minutes.Of(withHistory.LastWeek.Unknown));
        Assert.Equal(0.75 * 168 * 60, Minutes.Of(withHistory.LastWeek.EstimatedUptime));
        Assert.Equal(0.75 * 24 * 60, Minutes.Of(withHistory.LastDay.EstimatedUptime));
        Assert.Equal(60, Minutes.Of(withHistory.LastHour.EstimatedUptime));
        // No history: the latest poll decides, as in the ratio method.
        Assert.Equal(0, without.LastWeek.EstimatedUptime);
    }

    [Fact]
    public void The_history_counts_inactive_polls_only_in_business_hours()
    {
        var history = default(PollHistory)
            .Add(active: true, inBusinessHours: false)
            .Add(active: false, inBusinessHours: false)
            .Add(active: false, inBusinessHours: true)
            .Add(active: true, inBusinessHours: true);

        Assert.Equal(new PollHistory(Polls: 3, Active: 2), history);
    }
}
