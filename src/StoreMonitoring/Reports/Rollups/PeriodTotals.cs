using NodaTime;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>Sums a store's daily rows over a range of local dates: what a period report reads.</summary>
public sealed class PeriodTotals
{
    private readonly List<TimeRange> _scratch = new(8);

    /// <summary>
    /// The figures of [<paramref name="from"/>, <paramref name="to"/>] from the store's rows (sorted
    /// by date, any range: others are skipped). A date without a row is one its polls never reach:
    /// all its business time (from the hours alone) is unknown.
    /// </summary>
    public DayRollup Sum(StoreProfile store, ReadOnlySpan<DayRollup> rows, LocalDate from, LocalDate to)
    {
        var total = new DayRollup(store.Key, LocalDates.ToKey(from), 0, 0, 0, 0, 0, 0, 0, 0);
        var i = 0;
        for (var date = from; date <= to; date = date.PlusDays(1))
        {
            var key = LocalDates.ToKey(date);
            while (i < rows.Length && rows[i].Date < key)
            {
                i++;
            }

            total = total.Plus(i < rows.Length && rows[i].Date == key ? rows[i] : DayRollups.Empty(store, date, _scratch));
        }

        return total with { Date = LocalDates.ToKey(from) };
    }
}
