using System.Data.Common;
using Dapper;
using NodaTime;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>One local date of a store as <c>GET /stores/{id}/days</c> shows it.</summary>
/// <param name="Partial">The date is the store's current date: it is not over yet.</param>
/// <param name="Closed">The store has no business hours on the date: nothing to know, unlike an unknown date (hours, no polls).</param>
public sealed record StoreDay(LocalDate Date, DayRollup Figures, bool Partial, bool Closed);

/// <summary>A store's daily rows for a range of dates, read from <c>store_days</c> alone.</summary>
public static class StoreDays
{
    /// <summary>
    /// Every date of [<paramref name="from"/>, <paramref name="to"/>] in order; a date without a row
    /// (its polls never reach it) counts its business time as unknown, as a period report does.
    /// </summary>
    public static async Task<List<StoreDay>> ReadAsync(
        DbConnection connection, StoreProfile store, LocalDate from, LocalDate to, LocalDate today, CancellationToken cancellationToken)
    {
        var rows = (await RowsAsync(connection, store.Key, from, to, cancellationToken)).ToDictionary(r => r.Date);
        var scratch = new List<TimeRange>(8);
        var days = new List<StoreDay>();
        for (var date = from; date <= to; date = date.PlusDays(1))
        {
            var figures = rows.TryGetValue(LocalDates.ToKey(date), out var row) ? row : DayRollups.Empty(store, date, scratch);
            days.Add(new StoreDay(date, figures, date == today, figures.Business == 0));
        }

        return days;
    }

    /// <summary>The store's stored rows of [<paramref name="from"/>, <paramref name="to"/>], in date order (dates without a row left out).</summary>
    public static async Task<List<DayRollup>> RowsAsync(DbConnection connection, int storeKey, LocalDate from, LocalDate to, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(int, long, long, long, long, int, int, int, long)>(new CommandDefinition(
            """
            SELECT local_date, business_us, up_us, down_us, unknown_us, polls_in_hours, active_in_hours, incidents, longest_incident_us
            FROM store_days WHERE store_key = @key AND local_date BETWEEN @from AND @to ORDER BY local_date
            """,
            new { key = storeKey, from = LocalDates.ToKey(from), to = LocalDates.ToKey(to) }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new DayRollup(storeKey, r.Item1, r.Item2, r.Item3, r.Item4, r.Item5, r.Item6, r.Item7, r.Item8, r.Item9))];
    }
}
