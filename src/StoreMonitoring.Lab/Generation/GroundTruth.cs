using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Lab.Generation;

/// <summary>One store's true figures in the report's units, in hundredths: minutes for the hour, hours otherwise.</summary>
public readonly record struct TruthRow(string StoreId, long UptimeHour, long UptimeDay, long UptimeWeek, long DowntimeHour, long DowntimeDay, long DowntimeWeek);

/// <summary>The exact figures a perfect estimator would report, from a store's true timeline.</summary>
public static class GroundTruth
{
    /// <summary>
    /// Business time in each window ending at <paramref name="now"/>, split by the true state.
    /// </summary>
    /// <remarks>
    /// Business hours come from <see cref="BusinessHours.Expand"/>, the report's own semantics, so
    /// a difference between truth and a report is the estimator's error, never a disagreement
    /// about opening times. Rounding is the report's (<see cref="WindowFigures.Hundredths"/>):
    /// uptime and business are rounded and downtime is their difference, so the parts add up.
    /// </remarks>
    /// <param name="down">Sorted, disjoint ranges in which the store was down.</param>
    public static TruthRow Compute(string storeId, WeeklySchedule schedule, DateTimeZone zone, ReadOnlySpan<TimeRange> down, long now)
    {
        var windows = new ReportWindows(now);
        var hours = new List<TimeRange>();
        BusinessHours.Expand(schedule, zone, windows.WeekStart, now, hours);
        var open = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(hours);
        var up = new long[windows.Count];
        var business = new long[windows.Count];
        for (var i = 0; i < windows.Count; i++)
        {
            (up[i], business[i]) = Window(open, down, windows.Start(i), now, windows.List[i].Unit);
        }

        return new TruthRow(storeId, up[0], up[1], up[2], business[0] - up[0], business[1] - up[1], business[2] - up[2]);
    }

    private static (long Up, long Business) Window(ReadOnlySpan<TimeRange> open, ReadOnlySpan<TimeRange> down, long start, long end, long unit)
    {
        var business = new TimeRange(start, end).OverlapWith(open);
        var downInBusiness = 0L;
        var d = 0;
        foreach (var range in open)
        {
            var from = Math.Max(range.Start, start);
            var to = Math.Min(range.End, end);
            if (to <= from)
            {
                continue;
            }

            while (d < down.Length && down[d].End <= from)
            {
                d++;
            }

            for (var k = d; k < down.Length && down[k].Start < to; k++)
            {
                downInBusiness += Math.Max(0, Math.Min(down[k].End, to) - Math.Max(down[k].Start, from));
            }
        }

        var businessHundredths = WindowFigures.Hundredths(business, unit);
        var up = Math.Min(WindowFigures.Hundredths(business - downInBusiness, unit), businessHundredths);
        return (up, businessHundredths);
    }
}
