using System.Buffers;
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
        ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, ReportWindows windows, EstimationMethod method, EstimatorSettings settings,
        PollHistory history = default) =>
        method switch
        {
            EstimationMethod.Ratio => Ratio(polls, businessHours, windows),
            EstimationMethod.Learned => throw new ArgumentException("The learned method fits the store's whole history: compute it through StoreReport.Compute.", nameof(method)),
            _ => Interpolated(polls, businessHours, windows, settings, history),
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
    /// Each instant of business time takes the state of the poll whose cover holds it. An active
    /// poll covers up to the horizon either side. An inactive poll in business hours covers only
    /// the down reach towards an active neighbour or towards now (most outages are short blips),
    /// never past the midpoint, unless its neighbour is inactive too: a run of inactive polls is a
    /// long outage, and switches at the midpoint like two active polls. An inactive poll made
    /// while the store is closed covers the closed time and only the closed reach of business
    /// time: closed stores are often switched off. Business time in no cover is unknown.
    /// </summary>
    /// <remarks>
    /// The estimated figures share the unknown time out by the store's known up share over the
    /// week, or, when nothing in the week is known, by <paramref name="history"/>; the hour's
    /// unknown time goes wholly to the likelier state, because a store's state seldom changes
    /// within an hour and a split would be wrong whichever way the hour went.
    /// </remarks>
    /// <param name="history">The store's polls at or before now, counted as <see cref="PollHistory.Add"/> does.</param>
    public static StoreUptime Interpolated(
        ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, ReportWindows windows, EstimatorSettings settings, PollHistory history = default)
    {
        long[]? rented = null;
        var cover = polls.Length <= 128 ? stackalloc long[2 * polls.Length] : (rented = ArrayPool<long>.Shared.Rent(2 * polls.Length)).AsSpan(0, 2 * polls.Length);
        try
        {
            PollCover.Compute(polls, businessHours, windows.WeekStart, settings, cover);
            var hour = Sweep(polls, cover, businessHours, windows.HourStart, windows.Now);
            var day = Sweep(polls, cover, businessHours, windows.DayStart, windows.Now);
            var week = Sweep(polls, cover, businessHours, windows.WeekStart, windows.Now);

            // Nothing known in the week: the store's history is the evidence left, and with no
            // history either, the latest poll (as in the ratio method's last fallback).
            var share = week.Up + week.Down > 0 ? (double)week.Up / (week.Up + week.Down)
                : history.Share ?? (polls.Length > 0 && polls[^1].Active ? 1.0 : 0.0);
            var hourShare = share >= 0.5 ? 1.0 : 0.0;
            return new StoreUptime(hour.ToWindow(hourShare), day.ToWindow(share), week.ToWindow(share));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<long>.Shared.Return(rented);
            }
        }
    }

    private static Coverage Sweep(ReadOnlySpan<Poll> polls, ReadOnlySpan<long> reach, ReadOnlySpan<TimeRange> businessHours, long start, long end)
    {
        var coverage = new Coverage { Business = new TimeRange(start, end).OverlapWith(businessHours) };
        if (polls.IsEmpty || coverage.Business == 0)
        {
            return coverage;
        }

        var b = 0;
        for (var i = 0; i < polls.Length; i++)
        {
            var at = polls[i].At;
            var from = Math.Max(at - reach[2 * i], start);
            var to = Math.Min(at + reach[2 * i + 1], end);
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

            coverage.Polls++;
        }

        return coverage;
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
