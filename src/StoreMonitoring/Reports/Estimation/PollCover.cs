using StoreMonitoring.Time;

namespace StoreMonitoring.Reports.Estimation;

/// <summary>
/// How far each poll's state reaches before and after it under the interpolating method: the
/// rules of evidence that the estimator sums over the windows (and a timeline draws).
/// </summary>
internal static class PollCover
{
    private enum Evidence
    {
        Up,
        Down,
        ClosedDown,
    }

    /// <summary>
    /// Fills <paramref name="cover"/> with each poll's cover: [2i] how far before poll i its state
    /// holds, [2i+1] how far after. Covers never overlap, so they can be summed.
    /// </summary>
    public static void Compute(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> businessHours, long weekStart, EstimatorSettings settings, Span<long> cover)
    {
        var horizon = settings.HorizonMicros;
        var previous = Evidence.Up;
        var kind = polls.IsEmpty ? Evidence.Up : Kind(polls[0], businessHours, weekStart);
        for (var i = 0; i < polls.Length; i++)
        {
            var at = polls[i].At;
            var next = i + 1 < polls.Length ? Kind(polls[i + 1], businessHours, weekStart) : Evidence.Up;
            if (i == 0)
            {
                cover[0] = Reach(at, kind, inRun: next == Evidence.Down && kind == Evidence.Down, businessHours, settings, after: false);
            }

            if (i + 1 == polls.Length)
            {
                cover[2 * i + 1] = Reach(at, kind, inRun: previous == Evidence.Down && kind == Evidence.Down, businessHours, settings, after: true);
                break;
            }

            var gap = polls[i + 1].At - at;
            long right, left;
            if (polls[i].Active == polls[i + 1].Active)
            {
                // Same state: the covers reach at least the horizon, and where they overlap they split in proportion.
                right = Math.Max(horizon, Reach(at, kind, inRun: true, businessHours, settings, after: true));
                left = Math.Max(horizon, Reach(polls[i + 1].At, next, inRun: true, businessHours, settings, after: false));
                if (right + left >= gap)
                {
                    right = (long)Math.Round(gap * ((double)right / (right + left)), MidpointRounding.AwayFromZero);
                    left = gap - right;
                }
            }
            else if (kind == Evidence.Up)
            {
                var afterNext = i + 2 < polls.Length ? Kind(polls[i + 2], businessHours, weekStart) : Evidence.Up;
                var closed = next == Evidence.ClosedDown ? polls[i + 1].At - PreviousClosing(businessHours, polls[i + 1].At) : 0;
                left = DownShare(Reach(polls[i + 1].At, next, inRun: afterNext == Evidence.Down && next == Evidence.Down, businessHours, settings, after: false), gap, closed);
                right = Math.Min(horizon, gap - left);
            }
            else
            {
                var closed = kind == Evidence.ClosedDown ? NextOpening(businessHours, at) - at : 0;
                right = DownShare(Reach(at, kind, inRun: previous == Evidence.Down && kind == Evidence.Down, businessHours, settings, after: true), gap, closed);
                left = Math.Min(horizon, gap - right);
            }

            cover[2 * i + 1] = right;
            cover[2 * i + 2] = left;
            (previous, kind) = (kind, next);
        }
    }

    // Before the week the hours are not known, so an inactive poll from then counts as made in hours.
    private static Evidence Kind(Poll poll, ReadOnlySpan<TimeRange> businessHours, long weekStart) =>
        poll.Active ? Evidence.Up
        : poll.At >= weekStart && !TimeRange.AnyContains(businessHours, poll.At) ? Evidence.ClosedDown
        : Evidence.Down;

    /// <summary>How far a poll's state reaches towards a neighbour of the other state, or towards no neighbour.</summary>
    /// <param name="inRun">An in-hours inactive poll next to another one on the far side, which marks a long outage.</param>
    private static long Reach(long at, Evidence kind, bool inRun, ReadOnlySpan<TimeRange> businessHours, EstimatorSettings settings, bool after) => kind switch
    {
        Evidence.Up => settings.HorizonMicros,
        Evidence.Down => inRun ? settings.HorizonMicros : settings.DownReachMicros,
        _ => (after ? NextOpening(businessHours, at) - at : at - PreviousClosing(businessHours, at)) + settings.ClosedInactiveReachMicros,
    };

    // An inactive poll's share of a gap to an active one: its reach, but never past the midpoint,
    // except that it may always cover the closed time between it and the business hours.
    private static long DownShare(long reach, long gap, long closedPart) => Math.Min(reach, Math.Max(gap / 2, Math.Min(closedPart, gap)));

    /// <summary>The next opening after a closed-time instant, or the instant itself when none is known.</summary>
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

    /// <summary>The latest closing before a closed-time instant, or the instant itself when none is known.</summary>
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
}
