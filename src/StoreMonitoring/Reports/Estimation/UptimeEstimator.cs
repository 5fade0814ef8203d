using StoreMonitoring.Stores;

namespace StoreMonitoring.Reports.Estimation;

/// <summary>
/// The uptime maths: pure functions from one store's polls and business hours to its figures.
/// </summary>
/// <remarks>
/// <para>Polls are sorted by time, at or before <c>now</c>, and include every poll since the week
/// started (minus twice the horizon) plus the latest one before that.</para>
/// <para>Business hours are sorted, disjoint ranges that cover at least the week.</para>
/// </remarks>
public static class UptimeEstimator
{
    public static StoreUptime Estimate(
        ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, ReportWindows windows, EstimationMethod method, EstimatorSettings settings) =>
        method switch
        {
            EstimationMethod.Ratio => Ratio(polls, businessHours, windows),
            _ => Interpolated(polls, businessHours, windows, settings),
        };

    /// <summary>
    /// The share of active among in-hours polls in the window, times the window's business time.
    /// A window with no such poll borrows the share of the next wider window (day for the hour,
    /// week for the day); a week with none takes the state of the latest poll at or before now.
    /// </summary>
    public static StoreUptime Ratio(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, ReportWindows windows)
    {
        var week = CountInHours(polls, businessHours, windows.WeekStart, windows.Now);
        var day = CountInHours(polls, businessHours, windows.DayStart, windows.Now);
        var hour = CountInHours(polls, businessHours, windows.HourStart, windows.Now);

        var fallback = polls.Length > 0 && polls[^1].Active ? 1.0 : 0.0;
        var weekShare = week.Share ?? fallback;
        var dayShare = day.Share ?? weekShare;
        var hourShare = hour.Share ?? dayShare;

        return new StoreUptime(
            RatioWindow(businessHours, windows.HourStart, windows.Now, hourShare, hour.Total),
            RatioWindow(businessHours, windows.DayStart, windows.Now, dayShare, day.Total),
            RatioWindow(businessHours, windows.WeekStart, windows.Now, weekShare, week.Total));
    }

    private static WindowUptime RatioWindow(ReadOnlySpan<TimeRange> businessHours, long start, long end, double share, int polls)
    {
        var business = new TimeRange(start, end).OverlapWith(businessHours);
        var up = (long)Math.Round(business * share, MidpointRounding.AwayFromZero);
        return new WindowUptime(up, business - up, 0, business, polls, up);
    }

    private static PollCount CountInHours(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, long start, long end)
    {
        var count = new PollCount();
        foreach (var poll in polls)
        {
            if (poll.At >= start && poll.At <= end && TimeRange.AnyContains(businessHours, poll.At))
            {
                count.Total++;
                if (poll.Active)
                {
                    count.Active++;
                }
            }
        }

        return count;
    }

    private struct PollCount
    {
        public int Total;
        public int Active;

        public readonly double? Share => Total == 0 ? null : (double)Active / Total;
    }

    /// <summary>
    /// Each instant takes the state of the poll whose influence covers it: a poll's state holds
    /// from the switch point with its predecessor to the switch point with its successor, and no
    /// further than the horizon from the poll. Business time covered by no poll is unknown; the
    /// estimated figures share it out by the store's known up share over the week.
    /// </summary>
    public static StoreUptime Interpolated(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, ReportWindows windows, EstimatorSettings settings)
    {
        var hour = Sweep(polls, businessHours, windows.HourStart, windows.Now, settings);
        var day = Sweep(polls, businessHours, windows.DayStart, windows.Now, settings);
        var week = Sweep(polls, businessHours, windows.WeekStart, windows.Now, settings);

        // Nothing known in the week: the latest poll is the only evidence left (as in the ratio
        // method's last fallback), which also keeps the result independent of older history.
        var share = week.Up + week.Down > 0
            ? (double)week.Up / (week.Up + week.Down)
            : polls.Length > 0 && polls[^1].Active ? 1.0 : 0.0;

        return new StoreUptime(hour.ToWindow(share), day.ToWindow(share), week.ToWindow(share));
    }

    private static Coverage Sweep(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, long start, long end, EstimatorSettings settings)
    {
        var coverage = new Coverage { Business = new TimeRange(start, end).OverlapWith(businessHours) };
        if (polls.IsEmpty || coverage.Business == 0)
        {
            return coverage;
        }

        var horizon = settings.HorizonMicros;
        var alpha = settings.SwitchPoint;
        // Polls whose influence cannot reach the window are skipped with one binary search.
        var first = FirstAtOrAfter(polls, start - horizon);
        if (first > 0)
        {
            first--;
        }

        var lastCounted = -1;
        var b = 0;
        for (var i = first; i < polls.Length; i++)
        {
            var at = polls[i].At;
            var from = at - horizon;
            if (i > 0)
            {
                from = Math.Max(from, SwitchBetween(polls[i - 1].At, at, alpha));
            }

            var to = at + horizon;
            if (i + 1 < polls.Length)
            {
                to = Math.Min(to, SwitchBetween(at, polls[i + 1].At, alpha));
            }

            from = Math.Max(from, start);
            to = Math.Min(to, end);
            if (from >= end)
            {
                break;
            }

            if (to <= from)
            {
                continue;
            }

            while (b < businessHours.Length && businessHours[b].End <= from)
            {
                b++;
            }

            long covered = 0;
            for (var k = b; k < businessHours.Length && businessHours[k].Start < to; k++)
            {
                var s = Math.Max(businessHours[k].Start, from);
                var e = Math.Min(businessHours[k].End, to);
                if (e > s)
                {
                    covered += e - s;
                }
            }

            if (covered == 0)
            {
                continue;
            }

            if (polls[i].Active)
            {
                coverage.Up += covered;
            }
            else
            {
                coverage.Down += covered;
            }

            if (i != lastCounted)
            {
                coverage.Polls++;
                lastCounted = i;
            }
        }

        return coverage;
    }

    private static long SwitchBetween(long earlier, long later, double alpha) =>
        earlier + (long)Math.Round((later - earlier) * alpha, MidpointRounding.AwayFromZero);

    private static int FirstAtOrAfter(ReadOnlySpan<Poll> polls, long instant)
    {
        int lo = 0, hi = polls.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (polls[mid].At < instant)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private struct Coverage
    {
        public long Business;
        public long Up;
        public long Down;
        public int Polls;

        public readonly WindowUptime ToWindow(double share)
        {
            var unknown = Business - Up - Down;
            var estimatedUp = Up + (long)Math.Round(unknown * share, MidpointRounding.AwayFromZero);
            return new WindowUptime(Up, Down, unknown, Business, Polls, estimatedUp);
        }
    }
}
