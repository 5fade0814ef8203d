using System.Runtime.InteropServices;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>What the interpolating method says of one stretch of a store's time.</summary>
public enum TimelineState
{
    Up,
    Down,
    Unknown,
    Closed,
}

/// <summary>Why a stretch has its state: the poll whose cover holds it, or the rule that applies.</summary>
public enum TimelineRule
{
    /// <summary>Within an active poll's reach.</summary>
    ActivePoll,

    /// <summary>Within an inactive poll's reach.</summary>
    InactivePoll,

    /// <summary>Business time no poll reaches.</summary>
    NoPollInReach,

    /// <summary>Outside the store's business hours.</summary>
    OutsideBusinessHours,
}

/// <summary>One stretch [Start, End) of a timeline, in Unix microseconds.</summary>
/// <param name="Poll">The poll that decided it (for <see cref="TimelineRule.ActivePoll"/> and <see cref="TimelineRule.InactivePoll"/>).</param>
public readonly record struct TimelineInterval(long Start, long End, TimelineState State, TimelineRule Rule, Poll? Poll);

/// <summary>
/// The interpolating estimator made visible: ordered, gap-free intervals over a range, computed
/// with exactly the covers the report uses, so the up, down and unknown intervals of a report
/// window add up to that window's uptime, downtime and unknown time.
/// </summary>
public static class StoreTimeline
{
    /// <summary>The longest range one timeline covers: the report's week.</summary>
    public const long MaxRangeMicros = 7 * Time.UnixMicros.PerDay;

    /// <summary>Intervals covering [<paramref name="from"/>, <paramref name="to"/>), as a report with now = <paramref name="to"/> sees them.</summary>
    /// <param name="polls">The store's polls at or before <paramref name="to"/>, sorted (at least those since a week and two horizons before it).</param>
    public static List<TimelineInterval> Build(ReadOnlySpan<Poll> polls, StoreProfile store, long from, long to, EstimatorSettings settings)
    {
        if (to <= from || to - from > MaxRangeMicros)
        {
            throw new ArgumentOutOfRangeException(nameof(from), "The range must be non-empty and at most a week long.");
        }

        var windows = new ReportWindows(to);
        var relevant = StoreReport.Relevant(polls, windows, settings);
        var hours = new List<TimeRange>(64);
        BusinessHours.Expand(store.Schedule, store.Zone, windows.WeekStart, to + 1, hours);
        var open = CollectionsMarshal.AsSpan(hours);
        var cover = new long[2 * relevant.Length];
        PollCover.Compute(relevant, open, windows.WeekStart, settings, cover);

        var intervals = new List<TimelineInterval>();
        var at = from;
        var poll = 0;
        foreach (var range in open)
        {
            if (range.End <= at)
            {
                continue;
            }

            if (range.Start >= to)
            {
                break;
            }

            Add(intervals, at, Math.Min(range.Start, to), TimelineState.Closed, TimelineRule.OutsideBusinessHours, null);
            var end = Math.Min(range.End, to);
            at = Math.Max(at, range.Start);
            while (at < end)
            {
                // Covers are disjoint and ordered: skip those that end before this instant.
                while (poll < relevant.Length && relevant[poll].At + cover[2 * poll + 1] <= at)
                {
                    poll++;
                }

                if (poll < relevant.Length && relevant[poll].At - cover[2 * poll] <= at)
                {
                    var coverEnd = Math.Min(end, relevant[poll].At + cover[2 * poll + 1]);
                    var p = relevant[poll];
                    Add(intervals, at, coverEnd, p.Active ? TimelineState.Up : TimelineState.Down, p.Active ? TimelineRule.ActivePoll : TimelineRule.InactivePoll, p);
                    at = coverEnd;
                }
                else
                {
                    var next = poll < relevant.Length ? Math.Min(end, Math.Max(at, relevant[poll].At - cover[2 * poll])) : end;
                    Add(intervals, at, next, TimelineState.Unknown, TimelineRule.NoPollInReach, null);
                    at = next;
                }
            }
        }

        Add(intervals, at, to, TimelineState.Closed, TimelineRule.OutsideBusinessHours, null);
        return intervals;
    }

    /// <summary>The state just before <paramref name="now"/>: what a store page calls its current state.</summary>
    public static TimelineState StateAt(ReadOnlySpan<Poll> polls, StoreProfile store, long now, EstimatorSettings settings) =>
        Build(polls, store, now - 1, now, settings)[^1].State;

    private static void Add(List<TimelineInterval> intervals, long start, long end, TimelineState state, TimelineRule rule, Poll? poll)
    {
        if (end <= start)
        {
            return;
        }

        if (intervals.Count > 0 && intervals[^1] is var last && last.End == start && last.State == state && last.Rule == rule && last.Poll == poll)
        {
            intervals[^1] = last with { End = end };
            return;
        }

        intervals.Add(new TimelineInterval(start, end, state, rule, poll));
    }
}
