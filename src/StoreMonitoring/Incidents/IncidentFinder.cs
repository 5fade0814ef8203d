using System.Runtime.InteropServices;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Incidents;

/// <summary>One outage as the polls evidence it, in Unix microseconds.</summary>
/// <param name="End">Null while open: no up evidence in business time after it yet.</param>
/// <param name="DownMicros">Business time estimated down inside it; closed and unknown time are not counted.</param>
public sealed record Incident(long Start, long? End, long DownMicros, int Polls, long FirstPoll, long LastPoll);

/// <summary>
/// Finds a store's incidents: maximal stretches of estimated downtime (the interpolating method's
/// covers) inside its business hours. Closed time and unknown time between two down stretches do
/// not end an incident (a store down at closing and still down at opening had one outage); only
/// up evidence in business time does. Pure: the same polls and profile give the same incidents.
/// </summary>
public static class IncidentFinder
{
    /// <summary>Whether each poll's cover holds up time in business hours: the breaks between incidents.</summary>
    public static List<Incident> Find(ReadOnlySpan<Poll> polls, StoreProfile store, EstimatorSettings settings) =>
        Find(polls, store, settings, out _);

    /// <param name="upBreaks">For each poll, whether it is up evidence in business time (it ends any incident before it).</param>
    public static List<Incident> Find(ReadOnlySpan<Poll> polls, StoreProfile store, EstimatorSettings settings, out bool[] upBreaks)
    {
        upBreaks = new bool[polls.Length];
        var incidents = new List<Incident>();
        if (polls.IsEmpty)
        {
            return incidents;
        }

        // A day past the last poll covers every reach but one: a closed-time inactive poll reaches
        // to the next opening, which a week past it finds for any weekly schedule.
        var hours = new List<TimeRange>();
        BusinessHours.Expand(store.Schedule, store.Zone, polls[0].At - UnixMicros.PerDay, polls[^1].At + UnixMicros.PerDay, hours);
        if (!polls[^1].Active && (hours.Count == 0 || hours[^1].End <= polls[^1].At))
        {
            hours.Clear();
            BusinessHours.Expand(store.Schedule, store.Zone, polls[0].At - UnixMicros.PerDay, polls[^1].At + 8 * UnixMicros.PerDay, hours);
        }
        var open = CollectionsMarshal.AsSpan(hours);
        var rented = System.Buffers.ArrayPool<long>.Shared.Rent(2 * polls.Length);
        try
        {
            var cover = rented.AsSpan(0, 2 * polls.Length);
            // Every poll's hours are known here, unlike a report's polls from before its week.
            PollCover.Compute(polls, open, long.MinValue, settings, cover);
            Collect(polls, open, cover, upBreaks, incidents);
        }
        finally
        {
            System.Buffers.ArrayPool<long>.Shared.Return(rented);
        }

        return incidents;
    }

    private static void Collect(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> open, ReadOnlySpan<long> cover, bool[] upBreaks, List<Incident> incidents)
    {

        Incident? current = null;
        var b = 0;
        for (var i = 0; i < polls.Length; i++)
        {
            var from = polls[i].At - cover[2 * i];
            var to = polls[i].At + cover[2 * i + 1];
            while (b < open.Length && open[b].End <= from)
            {
                b++;
            }

            long covered = 0, first = long.MaxValue, last = long.MinValue;
            for (var k = b; k < open.Length && open[k].Start < to; k++)
            {
                var s = Math.Max(open[k].Start, from);
                var e = Math.Min(open[k].End, to);
                if (e > s)
                {
                    covered += e - s;
                    first = Math.Min(first, s);
                    last = Math.Max(last, e);
                }
            }

            if (covered == 0)
            {
                continue;
            }

            if (polls[i].Active)
            {
                upBreaks[i] = true;
                if (current is not null)
                {
                    incidents.Add(current);
                    current = null;
                }
            }
            else
            {
                current = current is null
                    ? new Incident(first, last, covered, 1, polls[i].At, polls[i].At)
                    : current with { End = last, DownMicros = current.DownMicros + covered, Polls = current.Polls + 1, LastPoll = polls[i].At };
            }
        }

        if (current is not null)
        {
            incidents.Add(current with { End = null });
        }
    }
}
