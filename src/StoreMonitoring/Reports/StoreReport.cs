using System.Runtime.InteropServices;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>
/// One store's report figures: the single computation that the service, the CLI, the lab and the
/// benchmarks share. Pure: the same polls, profile, windows and settings give the same figures.
/// </summary>
public static class StoreReport
{
    /// <summary>Computes one store's figures for the three windows ending at <c>windows.Now</c>.</summary>
    /// <param name="polls">The store's polls at or before now, sorted by time (all of them: the history share needs them).</param>
    /// <param name="buffers">Scratch space reused across stores; pass null to allocate.</param>
    public static StoreUptime Compute(
        ReadOnlySpan<Poll> polls, StoreProfile store, ReportWindows windows, EstimationMethod method, EstimatorSettings settings, Buffers? buffers = null)
    {
        buffers ??= new Buffers();
        if (method == EstimationMethod.Learned)
        {
            return Estimation.Learned.LearnedEstimator.Compute(polls, store, windows, buffers.Learned);
        }

        var history = History(polls, store, windows.Now, buffers.History);

        var relevant = Relevant(polls, windows, settings);
        var hours = buffers.Hours;
        hours.Clear();
        BusinessHours.Expand(store.Schedule, store.Zone, windows.WeekStart, windows.Now + 1, hours);
        return UptimeEstimator.Estimate(relevant, CollectionsMarshal.AsSpan(hours), windows, method, settings, history);
    }

    /// <summary>
    /// The polls that can shape the windows: polls older than the cutoff cannot, except the latest
    /// of them, kept as the edge evidence for a store that went quiet.
    /// </summary>
    internal static ReadOnlySpan<Poll> Relevant(ReadOnlySpan<Poll> polls, ReportWindows windows, EstimatorSettings settings)
    {
        var cutoff = windows.WeekStart - 2 * settings.HorizonMicros;
        var firstKept = FirstAtOrAfter(polls, cutoff);
        return polls[(firstKept > 0 ? firstKept - 1 : 0)..];
    }

    /// <summary>
    /// The store's whole history as the interpolating method's last fallback counts it: every active
    /// poll, and the inactive ones made in business hours.
    /// </summary>
    private static PollHistory History(ReadOnlySpan<Poll> polls, StoreProfile store, long now, List<TimeRange> hours)
    {
        var history = default(PollHistory);
        if (polls.IsEmpty)
        {
            return history;
        }

        hours.Clear();
        BusinessHours.Expand(store.Schedule, store.Zone, polls[0].At, now + 1, hours);
        var open = CollectionsMarshal.AsSpan(hours);
        var cursor = 0;
        foreach (var poll in polls)
        {
            while (cursor < open.Length && open[cursor].End <= poll.At)
            {
                cursor++;
            }

            history = history.Add(poll.Active, cursor < open.Length && open[cursor].Contains(poll.At));
        }

        return history;
    }

    /// <summary>The index of the first poll at or after <paramref name="instant"/> (polls sorted by time).</summary>
    internal static int FirstAtOrAfter(ReadOnlySpan<Poll> polls, long instant)
    {
        int low = 0, high = polls.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (polls[middle].At < instant)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>Lists reused from one store to the next, so a report allocates per store only what it keeps.</summary>
    public sealed class Buffers
    {
        internal List<TimeRange> Hours { get; } = new(64);

        internal List<TimeRange> History { get; } = new(256);

        internal Estimation.Learned.LearnedEstimator.Buffers Learned { get; } = new();
    }
}
