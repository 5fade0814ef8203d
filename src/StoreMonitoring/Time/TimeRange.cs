namespace StoreMonitoring.Time;

/// <summary>A half-open range [Start, End) of Unix microseconds.</summary>
public readonly record struct TimeRange(long Start, long End)
{
    public long Length => End - Start;

    public bool Contains(long instant) => instant >= Start && instant < End;

    /// <summary>Total length of the parts of sorted, disjoint <paramref name="ranges"/> inside this range.</summary>
    public long OverlapWith(ReadOnlySpan<TimeRange> ranges)
    {
        long total = 0;
        foreach (var r in ranges)
        {
            if (r.Start >= End)
            {
                break;
            }

            var start = Math.Max(r.Start, Start);
            var end = Math.Min(r.End, End);
            if (end > start)
            {
                total += end - start;
            }
        }

        return total;
    }

    /// <summary>Whether <paramref name="instant"/> lies in one of the sorted, disjoint <paramref name="ranges"/>.</summary>
    public static bool AnyContains(ReadOnlySpan<TimeRange> ranges, long instant)
    {
        int lo = 0, hi = ranges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].End <= instant)
            {
                lo = mid + 1;
            }
            else if (ranges[mid].Start > instant)
            {
                hi = mid - 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }
}
