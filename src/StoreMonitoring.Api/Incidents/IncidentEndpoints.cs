using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using StoreMonitoring.Api.Security;
using StoreMonitoring.Api.Stores;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Incidents;

internal sealed record IncidentView(
    string IncidentId, string StoreId, string Start, string? End, bool Open, double DurationMinutes, int Polls, string FirstPoll, string LastPoll,
    string Timezone, string StartLocal, string? EndLocal);

internal sealed record IncidentList(IReadOnlyList<IncidentView> Incidents, string? NextCursor);

/// <summary>Outages inside business hours, kept current as polls arrive, newest first.</summary>
internal static class IncidentEndpoints
{
    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/incidents", (HttpContext context, IncidentQueries incidents, StoreQueries stores, AcceptedInstants accepted,
                string? store_id, string? open, string? from, string? to, string? min_minutes, string? limit, string? cursor, CancellationToken cancellationToken) =>
                ListAsync(incidents, stores, accepted, store_id, open, from, to, min_minutes, limit, cursor, cancellationToken))
            .RequireAuthorization(Scopes.Read).WithTags("Live").WithName("ListIncidents")
            .WithSummary("Incidents, newest first: filter by store_id, open (true/false), from and to (overlapping the range), min_minutes of business downtime.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/stores/{store_id}/incidents", (IncidentQueries incidents, StoreQueries stores, AcceptedInstants accepted,
                string store_id, string? open, string? from, string? to, string? min_minutes, string? limit, string? cursor, CancellationToken cancellationToken) =>
                ListAsync(incidents, stores, accepted, store_id, open, from, to, min_minutes, limit, cursor, cancellationToken))
            .WithStoreId()
            .RequireAuthorization(Scopes.Read).WithTags("Live").WithName("ListStoreIncidents")
            .WithSummary("One store's incidents, newest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<IncidentList>, ValidationProblem, ProblemHttpResult>> ListAsync(
        IncidentQueries incidents, StoreQueries stores, AcceptedInstants accepted,
        string? storeId, string? open, string? from, string? to, string? minMinutes, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var isOpen = query.Bool(open, "open");
        var since = query.Instant(from, accepted, "from");
        var until = query.Instant(to, accepted, "to");
        var minimum = query.Int(minMinutes, 0, 0, 10_080, "min_minutes");
        var count = query.Int(limit, 100, 1, 500, "limit");
        var after = ParseCursor(Cursor.Decode(cursor, query), query);
        if (!query.IsValid)
        {
            return query.Problem("Invalid incident query");
        }

        int? key = null;
        if (storeId is not null)
        {
            if (await stores.FindAsync(storeId, cancellationToken) is not { } store)
            {
                return StoreEndpoints.NotFound(storeId);
            }

            key = store.Key;
        }

        var rows = await incidents.ListAsync(new IncidentFilter(key, isOpen, since, until, minimum * UnixMicros.PerMinute, count + 1, after), cancellationToken);
        var next = rows.Count > count ? Cursor.Encode(string.Create(CultureInfo.InvariantCulture, $"{rows[count - 1].Incident.StartUs}:{rows[count - 1].Incident.IncidentId}")) : null;
        return TypedResults.Ok(new IncidentList([.. rows.Take(count).Select(View)], next));
    }

    private static IncidentView View(IncidentRow row)
    {
        var (i, zone) = (row.Incident, DateTimeZoneProviders.Tzdb[row.TimeZone]);
        return new IncidentView(
            i.IncidentId, row.StoreId, UnixMicros.Format(i.StartUs), i.EndUs is { } end ? UnixMicros.Format(end) : null, i.IsOpen,
            IncidentQueries.Minutes(i.DownUs), i.Polls, UnixMicros.Format(i.FirstPollUs), UnixMicros.Format(i.LastPollUs),
            row.TimeZone, Views.Local(i.StartUs, zone), i.EndUs is { } e ? Views.Local(e, zone) : null);
    }

    private static (long, string)? ParseCursor(string? text, ApiQuery query)
    {
        if (text is null)
        {
            return null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && long.TryParse(text.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var start))
        {
            return (start, text[(colon + 1)..]);
        }

        query.Fail("cursor", "cursor is not one this service gave out: use next_cursor from the previous page.");
        return null;
    }
}
