using System.Runtime.InteropServices;
using NodaTime;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>
/// One store's figures on one local date (in its own zone), inside its business hours, in
/// microseconds: a row of <c>store_days</c>. <see cref="Up"/> + <see cref="Down"/> + <see cref="Unknown"/> = <see cref="Business"/>.
/// </summary>
/// <param name="Date">The local date as yyyymmdd (<see cref="LocalDates"/>).</param>
/// <param name="Polls">Polls made in business hours on the date (the ratio method's count).</param>
/// <param name="Active">The active ones among them.</param>
/// <param name="Incidents">Incidents that started on the date.</param>
/// <param name="LongestIncident">The longest of them (an open one up to its last poll).</param>
public readonly record struct DayRollup(
    int StoreKey, int Date, long Business, long Up, long Down, long Unknown, int Polls, int Active, int Incidents, long LongestIncident)
{
    /// <summary>Uptime over known time (up + down) in hundredths of a percent; null when nothing is known.</summary>
    public long? AvailabilityHundredths => Up + Down == 0 ? null : (long)Math.Round(10_000.0 * Up / (Up + Down), MidpointRounding.AwayFromZero);

    /// <summary>Adds another date's figures (the longest incident is the longer of the two).</summary>
    public DayRollup Plus(in DayRollup other) => new(
        StoreKey, Date, Business + other.Business, Up + other.Up, Down + other.Down, Unknown + other.Unknown,
        Polls + other.Polls, Active + other.Active, Incidents + other.Incidents, Math.Max(LongestIncident, other.LongestIncident));
}

/// <summary>Local dates as the integers <c>store_days</c> keys them by: yyyymmdd.</summary>
public static class LocalDates
{
    public static int ToKey(LocalDate date) => date.Year * 10_000 + date.Month * 100 + date.Day;

    public static LocalDate FromKey(int key) => new(key / 10_000, key / 100 % 100, key % 100);

    public static LocalDate DateOf(long instant, DateTimeZone zone) => UnixMicros.ToInstant(instant).InZone(zone).Date;

    /// <summary>The instant the local date starts in the zone (its first instant when midnight is skipped).</summary>
    public static long StartOf(LocalDate date, DateTimeZone zone) => UnixMicros.FromInstant(zone.AtStartOfDay(date).ToInstant());
}

/// <summary>
/// The daily rollups of one store: the interpolating method's covers (the same rules as the reports
/// and the incidents) summed per local date. Pure: the same polls, profile and settings give the
/// same rows; a date's row depends only on the polls whose covers can reach it (see <see cref="RollupKeeper"/>).
/// </summary>
public static class DayRollups
{
    // A closed-time inactive poll reaches to the next opening (or back to the last closing), which
    // a week and a day either side finds for any weekly schedule, plus up to a week's reach into the
    // hours: the hours are known that far either side of the polls, whatever the dates asked.
    private const long HoursMargin = 16 * UnixMicros.PerDay;

    /// <summary>
    /// Appends to <paramref name="output"/> the store's rows for the dates from <paramref name="fromDate"/>
    /// (or the first its polls reach, when later) to the last its polls reach.
    /// </summary>
    /// <param name="polls">The store's polls, sorted; they must hold every poll whose cover can reach the dates, plus two more before (see <see cref="RollupKeeper"/>).</param>
    /// <param name="incidents">The store's incidents that started on those dates, or more (others are ignored), sorted by start.</param>
    /// <returns>The first date it computed (yyyymmdd), or null with no polls.</returns>
    public static int? Compute(
        ReadOnlySpan<Poll> polls, StoreProfile store, EstimatorSettings settings, ReadOnlySpan<Incident> incidents, LocalDate? fromDate, Buffers buffers, List<DayRollup> output)
    {
        if (polls.IsEmpty)
        {
            return null;
        }

        var cover = Cover(polls, store, settings, buffers, polls[0].At, polls[^1].At);
        var zone = store.Zone;
        var first = LocalDates.DateOf(polls[0].At - cover[0], zone);
        var spanEnd = polls[^1].At + cover[2 * polls.Length - 1];
        var last = LocalDates.DateOf(Math.Max(polls[^1].At, spanEnd - 1), zone);
        if (fromDate is { } from && from > first)
        {
            first = from;
        }

        var hours = CollectionsMarshal.AsSpan(buffers.Hours);
        var cursor = new Cursor();
        var start = LocalDates.StartOf(first, zone);
        for (var date = first; date <= last; date = date.PlusDays(1))
        {
            var end = LocalDates.StartOf(date.PlusDays(1), zone);
            output.Add(cursor.Sweep(polls, cover, hours, incidents, store.Key, LocalDates.ToKey(date), start, end));
            start = end;
        }

        return LocalDates.ToKey(first);
    }

    /// <summary>
    /// The raw computation for a period: the figures of [start of <paramref name="from"/>, end of
    /// <paramref name="to"/>) in one sweep over every poll, which the rollups' sum must equal.
    /// </summary>
    public static DayRollup Period(
        ReadOnlySpan<Poll> polls, StoreProfile store, EstimatorSettings settings, ReadOnlySpan<Incident> incidents, LocalDate from, LocalDate to)
    {
        var buffers = new Buffers();
        var start = LocalDates.StartOf(from, store.Zone);
        var end = LocalDates.StartOf(to.PlusDays(1), store.Zone);
        if (polls.IsEmpty)
        {
            buffers.Hours.Clear();
            BusinessHours.Expand(store.Schedule, store.Zone, start, end, buffers.Hours);
            return new Cursor().Sweep(polls, [], CollectionsMarshal.AsSpan(buffers.Hours), incidents, store.Key, LocalDates.ToKey(from), start, end);
        }

        var cover = Cover(polls, store, settings, buffers, start, end);
        var rows = new Cursor().Sweep(polls, cover, CollectionsMarshal.AsSpan(buffers.Hours), incidents, store.Key, LocalDates.ToKey(from), start, end);
        return rows;
    }

    /// <summary>The business time of the store's dates that have no row: all unknown.</summary>
    public static DayRollup Empty(StoreProfile store, LocalDate date, List<TimeRange> scratch)
    {
        scratch.Clear();
        var start = LocalDates.StartOf(date, store.Zone);
        var end = LocalDates.StartOf(date.PlusDays(1), store.Zone);
        BusinessHours.Expand(store.Schedule, store.Zone, start, end, scratch);
        var business = new TimeRange(start, end).OverlapWith(CollectionsMarshal.AsSpan(scratch));
        return new DayRollup(store.Key, LocalDates.ToKey(date), business, 0, 0, business, 0, 0, 0, 0);
    }

    private static ReadOnlySpan<long> Cover(ReadOnlySpan<Poll> polls, StoreProfile store, EstimatorSettings settings, Buffers buffers, long from, long to)
    {
        buffers.Hours.Clear();
        BusinessHours.Expand(store.Schedule, store.Zone, Math.Min(polls[0].At, from) - HoursMargin, Math.Max(polls[^1].At, to) + HoursMargin, buffers.Hours);
        if (buffers.Cover.Length < 2 * polls.Length)
        {
            buffers.Cover = new long[Math.Max(2 * polls.Length, 2 * buffers.Cover.Length)];
        }

        var cover = buffers.Cover.AsSpan(0, 2 * polls.Length);
        // Every poll's hours are known here, as for the incidents (a report's week is not).
        PollCover.Compute(polls, CollectionsMarshal.AsSpan(buffers.Hours), long.MinValue, settings, cover);
        return cover;
    }

    /// <summary>Walks polls, hours and incidents forward once over consecutive dates.</summary>
    private struct Cursor
    {
        private int _poll;
        private int _hour;
        private int _incident;

        public DayRollup Sweep(
            ReadOnlySpan<Poll> polls, ReadOnlySpan<long> cover, ReadOnlySpan<TimeRange> hours, ReadOnlySpan<Incident> incidents, int storeKey, int date, long start, long end)
        {
            while (_hour < hours.Length && hours[_hour].End <= start)
            {
                _hour++;
            }

            long business = 0;
            for (var k = _hour; k < hours.Length && hours[k].Start < end; k++)
            {
                business += Math.Min(hours[k].End, end) - Math.Max(hours[k].Start, start);
            }

            // Covers are disjoint and in poll order, so their ends never go back.
            while (_poll < polls.Length && polls[_poll].At + cover[2 * _poll + 1] <= start && polls[_poll].At < start)
            {
                _poll++;
            }

            long up = 0, down = 0;
            int inHours = 0, active = 0;
            var b = _hour;
            for (var i = _poll; i < polls.Length; i++)
            {
                var at = polls[i].At;
                var from = Math.Max(at - cover[2 * i], start);
                if (from >= end)
                {
                    break;
                }

                if (at >= start && at < end && TimeRange.AnyContains(hours, at))
                {
                    inHours++;
                    active += polls[i].Active ? 1 : 0;
                }

                var to = Math.Min(at + cover[2 * i + 1], end);
                if (to <= from)
                {
                    continue;
                }

                while (b < hours.Length && hours[b].End <= from)
                {
                    b++;
                }

                long covered = 0;
                for (var k = b; k < hours.Length && hours[k].Start < to; k++)
                {
                    var e = Math.Min(hours[k].End, to);
                    var s = Math.Max(hours[k].Start, from);
                    if (e > s)
                    {
                        covered += e - s;
                    }
                }

                if (polls[i].Active)
                {
                    up += covered;
                }
                else
                {
                    down += covered;
                }
            }

            while (_incident < incidents.Length && incidents[_incident].Start < start)
            {
                _incident++;
            }

            int started = 0;
            long longest = 0;
            for (; _incident < incidents.Length && incidents[_incident].Start < end; _incident++)
            {
                var incident = incidents[_incident];
                started++;
                longest = Math.Max(longest, Math.Max(0, (incident.End ?? incident.LastPoll) - incident.Start));
            }

            return new DayRollup(storeKey, date, business, up, down, business - up - down, inHours, active, started, longest);
        }
    }

    /// <summary>Scratch space reused from one store to the next.</summary>
    public sealed class Buffers
    {
        internal List<TimeRange> Hours { get; } = new(512);

        internal long[] Cover { get; set; } = new long[4096];

        internal List<TimeRange> Scratch { get; } = new(8);
    }
}
