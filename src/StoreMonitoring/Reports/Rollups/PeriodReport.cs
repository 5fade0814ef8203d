using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using NodaTime;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>One store's figures for a period, summed from its daily rows.</summary>
/// <param name="To">The period's last date, or the date of now when that is earlier (see <paramref name="Partial"/>).</param>
/// <param name="Partial">The period reaches the store's current date (or beyond it): its last date is not over.</param>
public sealed record PeriodRow(string StoreId, LocalDate From, LocalDate To, DayRollup Totals, bool Partial);

/// <summary>
/// A period report: one row per store, read from <c>store_days</c> alone (never raw polls), so its
/// cost follows the stores and the period's length, not the polls' history.
/// </summary>
public static class PeriodReport
{
    /// <summary>Every store's row, in store id order.</summary>
    /// <param name="now">The instant whose local date ends rolling periods and marks the current date.</param>
    public static List<PeriodRow> Compute(DbConnection connection, SqlDialect dialect, Period period, long now, DbTransaction? transaction = null)
    {
        var profiles = StoreProfiles.Load(connection, transaction);
        var ranges = new Dictionary<int, (LocalDate From, LocalDate To, bool Partial)>(profiles.Count);
        foreach (var (key, store) in profiles)
        {
            ranges[key] = Dates(period, store, now);
        }

        var totals = new PeriodTotals();
        var rows = new List<PeriodRow>(profiles.Count);
        var done = new HashSet<int>();
        // Stores whose dates are the same are read together: one read for a fixed period, one per
        // distinct local date of now for a rolling one.
        foreach (var group in ranges.GroupBy(r => (r.Value.From, r.Value.To)))
        {
            var keys = group.Select(g => g.Key).ToHashSet();
            var (from, to) = group.Key;
            var buffer = new List<DayRollup>(Math.Max(1, Math.Min(Period.MaxDates, NodaTime.Period.Between(from, to, PeriodUnits.Days).Days + 1)));
            var current = -1;
            void Finish()
            {
                if (current >= 0 && keys.Contains(current))
                {
                    var range = ranges[current];
                    rows.Add(new PeriodRow(profiles[current].StoreId, range.From, range.To, totals.Sum(profiles[current], CollectionsMarshal.AsSpan(buffer), from, to), range.Partial));
                    done.Add(current);
                }

                buffer.Clear();
            }

            if (from <= to)
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    SELECT d.store_key, d.local_date, d.business_us, d.up_us, d.down_us, d.unknown_us, d.polls_in_hours, d.active_in_hours, d.incidents, d.longest_incident_us
                    FROM stores s {dialect.OuterFirstJoin} store_days d ON d.store_key = s.store_key AND d.local_date BETWEEN {LocalDates.ToKey(from)} AND {LocalDates.ToKey(to)}
                    ORDER BY s.store_key, d.local_date
                    """;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = reader.GetInt32(0);
                    if (key != current)
                    {
                        Finish();
                        current = key;
                    }

                    if (keys.Contains(key))
                    {
                        buffer.Add(new DayRollup(
                            key, reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
                            reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8), reader.GetInt64(9)));
                    }
                }

                Finish();
            }

            // Stores without a row in the period: all of its business time is unknown.
            foreach (var key in keys.Where(k => !done.Contains(k)))
            {
                var range = ranges[key];
                var sum = from <= to ? totals.Sum(profiles[key], [], from, to) : new DayRollup(key, LocalDates.ToKey(from), 0, 0, 0, 0, 0, 0, 0, 0);
                rows.Add(new PeriodRow(profiles[key].StoreId, range.From, range.To, sum, range.Partial));
            }
        }

        rows.Sort((a, b) => StoreIdOrder.Compare(a.StoreId, b.StoreId));
        return rows;
    }

    /// <summary>One store's row: what its line of <see cref="Compute"/> says, read for that store alone.</summary>
    public static async Task<PeriodRow> ForStoreAsync(DbConnection connection, StoreProfile store, Period period, long now, CancellationToken cancellationToken)
    {
        var (from, to, partial) = Dates(period, store, now);
        var rows = from > to ? [] : await StoreDays.RowsAsync(connection, store.Key, from, to, cancellationToken);
        var totals = from > to
            ? new DayRollup(store.Key, LocalDates.ToKey(from), 0, 0, 0, 0, 0, 0, 0, 0)
            : new PeriodTotals().Sum(store, CollectionsMarshal.AsSpan(rows), from, to);
        return new PeriodRow(store.StoreId, from, to, totals, partial);
    }

    /// <summary>The store's dates of the period, cut at the local date of now (then partial).</summary>
    private static (LocalDate From, LocalDate To, bool Partial) Dates(Period period, StoreProfile store, long now)
    {
        var (from, to) = period.Resolve(store.Zone, now);
        var today = LocalDates.DateOf(now, store.Zone);
        return to >= today ? (from, today, true) : (from, to, false);
    }
}

/// <summary>A period report as CSV: the figures in hours (minutes for the longest incident), rounded to hundredths.</summary>
public static class PeriodCsv
{
    public const string Header = "store_id,period_start_local,period_end_local,business_hours,uptime_hours,downtime_hours,unknown_hours,availability_pct,incidents,longest_incident_minutes,partial";

    public const string ExtendedHeader = Header + ",polls_in_hours,active_polls_in_hours";

    public static void WriteHeader(TextWriter writer, bool extended) => writer.Write((extended ? ExtendedHeader : Header) + "\n");

    public static void WriteRow(TextWriter writer, PeriodRow row, bool extended)
    {
        var t = row.Totals;
        var business = WindowFigures.Hundredths(t.Business, Time.UnixMicros.PerHour);
        var up = WindowFigures.Hundredths(t.Up, Time.UnixMicros.PerHour);
        // Parts rounded on their own could add up to more than the rounded whole: the unknown takes the rest.
        var down = Math.Min(WindowFigures.Hundredths(t.Down, Time.UnixMicros.PerHour), business - up);
        writer.Write(ReportCsv.Escape(row.StoreId));
        writer.Write(string.Create(CultureInfo.InvariantCulture,
            $",{row.From:yyyy-MM-dd},{row.To:yyyy-MM-dd},{WindowFigures.Format(business)},{WindowFigures.Format(up)},{WindowFigures.Format(down)},{WindowFigures.Format(business - up - down)},"));
        if (row.Totals.AvailabilityHundredths is { } availability)
        {
            writer.Write(WindowFigures.Format(availability));
        }

        writer.Write(string.Create(CultureInfo.InvariantCulture,
            $",{t.Incidents},{WindowFigures.Format(WindowFigures.Hundredths(t.LongestIncident, Time.UnixMicros.PerMinute))},{(row.Partial ? "true" : "false")}"));
        if (extended)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $",{t.Polls},{t.Active}"));
        }

        writer.Write('\n');
    }
}
