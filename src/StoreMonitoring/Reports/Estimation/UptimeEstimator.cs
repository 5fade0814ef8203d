using System.Buffers;
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
            EstimationMethod.Learned => throw new ArgumentException("The learned method fits the store's whole history: compute it through StoreReport.Compute.", nameof(method)),
            _ => Interpolated(polls, businessHours, windows, settings, history),
        };

    /// <summary>
    /// The share of active among in-hours polls in the window, times the window's business time.
    /// A window with no such poll borrows the share of the next wider window (day for the hour,
    /// week for the day); the widest with none takes the state of the latest poll at or before now.
    /// </summary>
    public static StoreUptime Ratio(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, ReportWindows windows)
    {
        var figures = new WindowUptime[windows.Count];
        var share = polls.Length > 0 && polls[^1].Active ? 1.0 : 0.0;
        for (var i = windows.Count - 1; i >= 0; i--)
        {
            var start = windows.Start(i);
            var count = CountInHours(polls, businessHours, start, windows.Now);
            share = count.Share ?? share;
            figures[i] = RatioWindow(businessHours, start, windows.Now, share, count.Total);
        }

        return new StoreUptime(windows.List, figures);
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
    /// widest window (the week), or, when nothing in it is known, by <paramref name="history"/>; a
    /// window marked <see cref="ReportWindow.UnknownToLikelier"/> (the hour) gives its unknown time
    /// wholly to the likelier state, because a store's state seldom changes within an hour and a
    /// split would be wrong whichever way the hour went.
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
            var count = windows.Count;
            Span<Coverage> sweeps = count <= 16 ? stackalloc Coverage[count] : new Coverage[count];
            for (var i = 0; i < count; i++)
            {
                sweeps[i] = Sweep(polls, cover, businessHours, windows.Start(i), windows.Now);
            }

            // Nothing known in the widest window: the store's history is the evidence left, and
            // with no history either, the latest poll (as in the ratio method's last fallback).
            var widest = sweeps[count - 1];
            var share = widest.Up + widest.Down > 0 ? (double)widest.Up / (widest.Up + widest.Down)
                : history.Share ?? (polls.Length > 0 && polls[^1].Active ? 1.0 : 0.0);
            var likelier = share >= 0.5 ? 1.0 : 0.0;
            var figures = new WindowUptime[count];
            for (var i = 0; i < count; i++)
            {
                figures[i] = sweeps[i].ToWindow(windows.List[i].UnknownToLikelier ? likelier : share);
            }

            return new StoreUptime(windows.List, figures);
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
