using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using NodaTime.Text;
using StoreMonitoring.Api.Reports;
using StoreMonitoring.Api.Security;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Rollups;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;
using Period = StoreMonitoring.Reports.Rollups.Period;

namespace StoreMonitoring.Api.Stores;

/// <summary>One local date: figures in hours (the longest incident in minutes), rounded to hundredths as in a period report.</summary>
internal sealed record DayView(
    string Date, double BusinessHours, double UptimeHours, double DowntimeHours, double UnknownHours, double? AvailabilityPct,
    int PollsInHours, int ActivePollsInHours, int Incidents, double LongestIncidentMinutes, bool Partial, bool Closed);

internal sealed record StoreDaysPage(string StoreId, string Timezone, string From, string To, string Today, IReadOnlyList<DayView> Days, string? NextCursor);

/// <summary><c>GET /stores/{id}/days</c>: a store's daily rollups, one row per local date, a page at a time.</summary>
internal static class StoreDaysEndpoints
{
    public const int DefaultDates = 90;
    public const int MaxPage = 400;

    public static IEndpointRouteBuilder MapStoreDays(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stores/{store_id}/days", DaysAsync).WithStoreId()
            .RequireAuthorization(Scopes.Read).WithTags("Live").WithName("GetStoreDays")
            .WithSummary($"One store's daily figures from the rollups, one row per local date from..to (YYYY-MM-DD, both included, at most {Period.MaxDates} dates; "
                + $"default the {DefaultDates} dates up to the store's current date), at most limit (1 to {MaxPage}) a page; closed = no business hours that date, partial = the current date.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<StoreDaysPage>, ValidationProblem, ProblemHttpResult>> DaysAsync(
        string store_id, StoreQueries stores, StoreDatabase database, string? from, string? to, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var first = Date(from, "from", query);
        var last = Date(to, "to", query);
        var count = query.Int(limit, MaxPage, 1, MaxPage, "limit");
        var after = Cursor.Decode(cursor, query) is { } text ? Date(text, "cursor", query) : null;
        if (!query.IsValid)
        {
            return query.Problem("Invalid store days query");
        }

        if (await stores.FindAsync(store_id, cancellationToken) is not { } store)
        {
            return StoreEndpoints.NotFound(store_id);
        }

        var today = LocalDates.DateOf(await stores.DefaultNowAsync(cancellationToken), store.Zone);
        var end = last ?? (first is { } f && f.PlusDays(DefaultDates - 1) < today ? f.PlusDays(DefaultDates - 1) : today);
        var start = first ?? end.PlusDays(1 - DefaultDates);
        if (start > end)
        {
            query.Fail(first is null ? "to" : "from", $"from {start:yyyy-MM-dd} is after to {end:yyyy-MM-dd}.");
        }
        else if (NodaTime.Period.Between(start, end, PeriodUnits.Days).Days + 1 > Period.MaxDates)
        {
            query.Fail("to", $"from {start:yyyy-MM-dd} to {end:yyyy-MM-dd} is more than {Period.MaxDates} dates: ask for less, a page is at most {MaxPage}.");
        }
        else if (after is { } a && (a < start || a > end))
        {
            query.Fail("cursor", "cursor is not one this service gave out for these dates: use next_cursor from the previous page with the same from and to.");
        }

        if (!query.IsValid)
        {
            return query.Problem("Invalid store days query");
        }

        // Dates after the store's current date have no figures yet: the range ends there.
        var upTo = end > today ? today : end;
        var pageStart = after ?? start;
        var pageEnd = pageStart.PlusDays(count - 1) < upTo ? pageStart.PlusDays(count - 1) : upTo;
        await using var connection = await database.OpenAsync(cancellationToken);
        var days = pageStart <= pageEnd ? await StoreDays.ReadAsync(connection, store, pageStart, pageEnd, today, cancellationToken) : [];
        var next = pageEnd < upTo ? Cursor.Encode(Iso(pageEnd.PlusDays(1))) : null;
        return TypedResults.Ok(new StoreDaysPage(store.StoreId, store.Zone.Id, Iso(start), Iso(upTo < start ? start : upTo), Iso(today), [.. days.Select(View)], next));
    }

    private static DayView View(StoreDay day)
    {
        var t = day.Figures;
        var hours = PeriodHours.Of(t);
        return new DayView(
            Iso(day.Date), hours.Business, hours.Up, hours.Down, hours.Unknown, hours.AvailabilityPct, t.Polls, t.Active, t.Incidents,
            WindowFigures.ToNumber(WindowFigures.Hundredths(t.LongestIncident, UnixMicros.PerMinute)), day.Partial, day.Closed);
    }

    private static LocalDate? Date(string? text, string name, ApiQuery query)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var result = LocalDatePattern.Iso.Parse(text.Trim());
        if (result.Success && result.Value.Year is >= 1900 and <= 9998)
        {
            return result.Value;
        }

        query.Fail(name, name == "cursor"
            ? "cursor is not one this service gave out: use next_cursor from the previous page."
            : $"{name} '{(text.Length > 64 ? text[..64] + "..." : text)}' is not a date: use YYYY-MM-DD, e.g. 2025-11-01.");
        return null;
    }

    private static string Iso(LocalDate date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
