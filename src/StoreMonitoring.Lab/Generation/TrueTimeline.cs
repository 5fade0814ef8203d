using StoreMonitoring.Time;

namespace StoreMonitoring.Lab.Generation;

/// <summary>
/// A store's hidden true state: the sorted, disjoint ranges in which it was down. Every boundary
/// is a whole UTC second, which lets a reference check it second by second exactly.
/// </summary>
internal static class TrueTimeline
{
    /// <param name="from">Start of the timeline, a whole second.</param>
    /// <param name="to">End of the timeline, a whole second.</param>
    /// <param name="offlineOutside">The business hours over [from, to) of a store that is down outside them; empty for the others.</param>
    /// <param name="extraDown">Outages that come on a schedule (the weekly kind's), added as they are.</param>
    public static TimeRange[] Build(Reliability reliability, GeneratorRandom random, long from, long to, ReadOnlySpan<TimeRange> offlineOutside, ReadOnlySpan<TimeRange> extraDown = default)
    {
        if (from % UnixMicros.PerSecond != 0 || to % UnixMicros.PerSecond != 0)
        {
            throw new ArgumentException("The timeline must start and end on whole seconds.");
        }

        var down = new List<TimeRange>();
        var t = from;
        var up = random.Chance(reliability.Availability);
        while (t < to)
        {
            if (up)
            {
                t += Math.Min(reliability.NextUpSeconds(random), (to - t) / UnixMicros.PerSecond + 1) * UnixMicros.PerSecond;
            }
            else
            {
                var end = t + reliability.NextOutageSeconds(random) * UnixMicros.PerSecond;
                down.Add(new TimeRange(t, end));
                t = end;
            }

            up = !up;
        }

        // Now and then a store closes for days (a refit, a dispute): the outages no process above makes.
        if (random.Chance(0.02))
        {
            var start = from + random.NextLong(0, (to - from) / UnixMicros.PerSecond) * UnixMicros.PerSecond;
            down.Add(new TimeRange(start, start + random.NextLong(86_400, 5 * 86_400) * UnixMicros.PerSecond));
        }

        // A store that switches itself off outside business hours is down between its openings, and
        // often a few minutes into each: the tablet is switched on after the doors open.
        if (!offlineOutside.IsEmpty)
        {
            var previousEnd = from;
            foreach (var open in offlineOutside)
            {
                var lag = random.Chance(0.5) ? random.NextLong(60, 15 * 60) * UnixMicros.PerSecond : 0;
                if (open.Start + lag > previousEnd)
                {
                    down.Add(new TimeRange(previousEnd, Math.Min(open.Start + lag, open.End)));
                }

                previousEnd = open.End;
            }

            if (previousEnd < to)
            {
                down.Add(new TimeRange(previousEnd, to));
            }
        }

        foreach (var range in extraDown)
        {
            down.Add(range);
        }

        return Merge(down);
    }

    /// <summary>Whether the store is up at <paramref name="at"/>; <paramref name="cursor"/> carries over between calls with increasing instants.</summary>
    public static bool IsUp(ReadOnlySpan<TimeRange> down, long at, ref int cursor)
    {
        while (cursor < down.Length && down[cursor].End <= at)
        {
            cursor++;
        }

        return cursor >= down.Length || !down[cursor].Contains(at);
    }

    private static TimeRange[] Merge(List<TimeRange> ranges)
    {
        ranges.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<TimeRange>(ranges.Count);
        foreach (var range in ranges)
        {
            if (range.End <= range.Start)
            {
                continue;
            }

            if (merged.Count > 0 && range.Start <= merged[^1].End)
            {
                if (range.End > merged[^1].End)
                {
                    merged[^1] = merged[^1] with { End = range.End };
                }
            }
            else
            {
                merged.Add(range);
            }
        }

        return [.. merged];
    }
}
