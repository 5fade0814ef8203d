using System.Buffers;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

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
    /// Each instant takes the state of the poll whose influence covers it. An active poll reaches
    /// up to the horizon either side; an inactive one reaches less far towards an active
    /// neighbour (most outages are short blips), unless it is part of a run of inactive polls;
    /// an inactive poll made while the store is closed reaches only a little into business time.
    /// Business time covered by no poll is unknown; the estimated figures share it out by the
    /// store's known up share over the week, or by its history when nothing in the week is known.
    /// </summary>
    public static StoreUptime Interpolated(
        ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, ReportWindows windows, EstimatorSettings settings, PollHistory history = default)
    {
        long[]? rented = null;
        var reach = polls.Length <= 128 ? stackalloc long[2 * polls.Length] : (rented = ArrayPool<long>.Shared.Rent(2 * polls.Length)).AsSpan(0, 2 * polls.Length);
        try
        {
            Cover(polls, businessHours, windows.WeekStart, settings, reach);
            var hour = Sweep(polls, reach, businessHours, windows.HourStart, windows.Now);
            var day = Sweep(polls, reach, businessHours, windows.DayStart, windows.Now);
            var week = Sweep(polls, reach, businessHours, windows.WeekStart, windows.Now);

            var latest = polls.Length > 0 && polls[^1].Active ? 1.0 : 0.0;
            var fallback = settings.FallbackToHistory && history.Share is { } past ? past : latest;
            var share = week.Up + week.Down > 0 && !(settings.ShareFromHistory && history.Share is not null) ? (double)week.Up / (week.Up + week.Down) : fallback;
            var dayShare = settings.ShareByDay && day.Up + day.Down > 0 ? (double)day.Up / (day.Up + day.Down) : share;
            var hourShare = settings.RoundHourShare ? Math.Round(dayShare, MidpointRounding.AwayFromZero) : dayShare;
            var dayOut = settings.RoundDayShare ? Math.Round(dayShare, MidpointRounding.AwayFromZero) : dayShare;
            return new StoreUptime(hour.ToWindow(hourShare), day.ToWindow(dayOut), week.ToWindow(share));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<long>.Shared.Return(rented);
            }
        }
    }

    private enum Evidence
    {
        Up,
        Down,
        ClosedDown,
    }

    /// <summary>
    /// Fills <paramref name="reach"/> with each poll's cover: [2i] how far before poll i its state
    /// holds, [2i+1] how far after. Covers never overlap, so they can be summed.
    /// </summary>
    private static void Cover(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, long weekStart, EstimatorSettings settings, Span<long> reach)
    {
        var horizon = settings.HorizonMicros;
        for (var i = 0; i < polls.Length; i++)
        {
            var kind = Kind(polls[i], businessHours, weekStart, settings);
            var inRun = kind == Evidence.Down
                && ((i > 0 && Kind(polls[i - 1], businessHours, weekStart, settings) == Evidence.Down)
                    || (i + 1 < polls.Length && Kind(polls[i + 1], businessHours, weekStart, settings) == Evidence.Down));
            if (i == 0)
            {
                reach[0] = Reach(polls[0].At, kind, inRun, businessHours, settings, after: false, edge: true);
            }

            if (i + 1 == polls.Length)
            {
                reach[2 * i + 1] = Reach(polls[i].At, kind, inRun, businessHours, settings, after: true, edge: true);
                break;
            }

            var next = Kind(polls[i + 1], businessHours, weekStart, settings);
            var nextInRun = next == Evidence.Down
                && (kind == Evidence.Down || (i + 2 < polls.Length && Kind(polls[i + 2], businessHours, weekStart, settings) == Evidence.Down));
            var gap = polls[i + 1].At - polls[i].At;
            long right, left;
            if (polls[i].Active == polls[i + 1].Active)
            {
                // Same state: each side reaches its own way, and where the reaches overlap they split in proportion.
                right = kind == Evidence.Up ? horizon : Math.Max(horizon, Reach(polls[i].At, kind, inRun, businessHours, settings, after: true, edge: false));
                left = next == Evidence.Up ? horizon : Math.Max(horizon, Reach(polls[i + 1].At, next, nextInRun, businessHours, settings, after: false, edge: false));
                if (right + left >= gap)
                {
                    var r = (long)Math.Round(gap * ((double)right / (right + left)), MidpointRounding.AwayFromZero);
                    (right, left) = (r, gap - r);
                }
            }
            else if (kind == Evidence.Up)
            {
                var closedPart = next == Evidence.ClosedDown ? polls[i + 1].At - PreviousClosing(businessHours, polls[i + 1].At) : 0;
                left = DownShare(Reach(polls[i + 1].At, next, nextInRun, businessHours, settings, after: false, edge: false), gap, closedPart);
                right = Math.Min(horizon, gap - left);
            }
            else
            {
                var closedPart = kind == Evidence.ClosedDown ? NextOpening(businessHours, polls[i].At) - polls[i].At : 0;
                right = DownShare(Reach(polls[i].At, kind, inRun, businessHours, settings, after: true, edge: false), gap, closedPart);
                left = Math.Min(horizon, gap - right);
            }

            reach[2 * i + 1] = right;
            reach[2 * i + 2] = left;
        }
    }

    private static Evidence Kind(Poll poll, ReadOnlySpan<TimeRange> businessHours, long weekStart, EstimatorSettings settings) =>
        poll.Active ? Evidence.Up
        // Before the week the hours are not known, so such a poll counts as made in hours.
        : settings.ClosedInactiveReachMinutes < ClosedAsOpen && poll.At >= weekStart && !TimeRange.AnyContains(businessHours, poll.At) ? Evidence.ClosedDown
        : Evidence.Down;

    // How far a poll's state may reach towards a neighbour of the other state (or towards no neighbour).
    private static long Reach(long at, Evidence kind, bool inRun, ReadOnlySpan<TimeRange> businessHours, EstimatorSettings settings, bool after, bool edge) => kind switch
    {
        Evidence.Up => settings.HorizonMicros,
        Evidence.Down => (inRun ? (edge ? settings.HorizonMinutes : settings.RunDownReachMinutes) : (edge ? settings.DownEdgeReachMinutes : settings.DownReachMinutes)) * UnixMicros.PerMinute,
        _ => Math.Max(0, after ? NextOpening(businessHours, at) - at : at - PreviousClosing(businessHours, at)) + settings.ClosedInactiveReachMinutes * UnixMicros.PerMinute,
    };

    /// <summary>Any <see cref="EstimatorSettings.ClosedInactiveReachMinutes"/> this large treats closed-time polls like the others.</summary>
    internal const int ClosedAsOpen = 10_080;

    // An inactive poll's share of a gap to an active one: its reach, but never past the midpoint,
    // except that it may always cover the closed time between it and the business hours.
    private static long DownShare(long reach, long gap, long closedPart) => Math.Min(reach, Math.Max(gap / 2, Math.Min(closedPart, gap)));

    private static long NextOpening(ReadOnlySpan<TimeRange> businessHours, long instant)
    {
        foreach (var range in businessHours)
        {
            if (range.Start > instant)
            {
                return range.Start;
            }
        }

        return instant;
    }

    private static long PreviousClosing(ReadOnlySpan<TimeRange> businessHours, long instant)
    {
        for (var k = businessHours.Length - 1; k >= 0; k--)
        {
            if (businessHours[k].End <= instant)
            {
                return businessHours[k].End;
            }
        }

        return instant;
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
