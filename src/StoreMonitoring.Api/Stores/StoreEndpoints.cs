using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StoreMonitoring.Api.Reports;
using StoreMonitoring.Api.Security;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Stores;

/// <summary>One store, or all of them, as they are now: state, hours, figures and the timeline behind them.</summary>
internal static class StoreEndpoints
{
    public static IEndpointRouteBuilder MapStores(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/stores").WithTags("Live").RequireAuthorization(Scopes.Read);
        group.MapGet("", ListAsync).WithName("ListStores")
            .WithSummary("Stores with their current state, by store id, a page at a time (status: up, down, unknown or closed).");
        group.MapGet("/{store_id}", GetAsync).WithStoreId().WithName("GetStore")
            .WithSummary("One store: zone, hours, open now, current state, last poll, and its figures for the last hour, day and week, equal to its row in a JSON report with the same now and method.")
            .WithDescription("With period (day:YYYY-MM-DD, week:YYYY-Www, month:YYYY-MM, quarter:YYYY-Qn, range:A..B, last_7_days, last_30_days): the store's figures for that period instead, summed from its daily rollups as its row of a period report (docs/periods.md).")
            .Produces<StorePeriodView>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{store_id}/timeline", TimelineAsync).WithStoreId().WithName("GetStoreTimeline")
            .WithSummary("The estimator made visible: gap-free intervals over [from, to) (at most 7 days; default the 24 hours before now), each up, down, unknown or closed with its evidence, and the polls in the range.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        StoreEditEndpoints.Map(app);
        return app;
    }

    private static async Task<Results<Ok<StoreList>, ValidationProblem>> ListAsync(
        StoreQueries stores, string? status, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var state = status is null ? null : query.Choice(status, "status", "up", "down", "unknown", "closed");
        var count = query.Int(limit, 100, 1, 1000, "limit");
        var after = Cursor.Decode(cursor, query);
        if (!query.IsValid)
        {
            return query.Problem("Invalid store list query");
        }

        var now = await stores.DefaultNowAsync(cancellationToken);
        var all = (await stores.StatesAsync(now, cancellationToken)).Where(s => state is null || Views.State(s.State) == state).ToList();
        var page = all.Where(s => after is null || string.CompareOrdinal(s.Store.StoreId, after) > 0).Take(count + 1).ToList();
        var next = page.Count > count ? Cursor.Encode(page[count - 1].Store.StoreId) : null;
        return TypedResults.Ok(new StoreList(
            [.. page.Take(count).Select(s => new StoreSummary(s.Store.StoreId, s.Store.Zone.Id, Views.State(s.State), s.OpenNow, Views.Local(now, s.Store.Zone), s.LastPoll is { } p ? PollView.From(p) : null))],
            next,
            all.Count));
    }

    private static async Task<Results<Ok<StoreDetail>, Ok<StorePeriodView>, ValidationProblem, ProblemHttpResult>> GetAsync(
        string store_id, StoreQueries stores, AcceptedInstants accepted, IOptions<StoreMonitoringOptions> options, string? now, string? method, string? period, StoreDatabase database, CancellationToken cancellationToken)
    {
        if (period is not null)
        {
            return await StorePeriodEndpoint.GetAsync(store_id, period, method, now, stores, database, accepted, cancellationToken);
        }

        var query = new ApiQuery();
        var estimation = query.Method(method, options.Value.Reports.DefaultMethod);
        var requested = query.Instant(now, accepted, "now");
        if (!query.IsValid)
        {
            return query.Problem("Invalid store query");
        }

        if (await stores.ViewAsync(store_id, requested, estimation, cancellationToken) is not { } view)
        {
            return NotFound(store_id);
        }

        var (store, figures) = (view.Store, ReportCsv.Figures(view.Uptime));
        return TypedResults.Ok(new StoreDetail(
            store.StoreId, store.Zone.Id, Views.Hours(store.Schedule), view.OpenNow, Views.Local(view.Now, store.Zone), UnixMicros.Format(view.Now),
            Views.State(view.State), view.LastPoll is { } last ? PollView.From(last) : null,
            estimation.Name(), [.. figures.Windows.Select(w => new WindowView(w.Name, w.UnitName))]) { Figures = JsonWindow.ByName(figures) });
    }

    private static async Task<Results<Ok<TimelineView>, ValidationProblem, ProblemHttpResult>> TimelineAsync(
        string store_id, StoreQueries stores, AcceptedInstants accepted, IOptions<StoreMonitoringOptions> options,
        string? from, string? to, string? method, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var estimation = query.Method(method, EstimationMethod.Interpolated);
        var end = query.Instant(to, accepted, "to");
        var start = query.Instant(from, accepted, "from");
        if (estimation == EstimationMethod.Ratio)
        {
            query.Fail("method", "method 'ratio' has no timeline: it shares each window's business time by a count of polls, so no instant has a state of its own; use interpolated.");
        }
        else if (estimation == EstimationMethod.Learned)
        {
            query.Fail("method", "method 'learned' has no timeline: it gives each instant a probability of being up, not a state; use interpolated.");
        }

        if (!query.IsValid)
        {
            return query.Problem("Invalid timeline query");
        }

        if (await stores.FindAsync(store_id, cancellationToken) is not { } store)
        {
            return NotFound(store_id);
        }

        var upTo = end ?? await stores.DefaultNowAsync(cancellationToken);
        var since = start ?? upTo - UnixMicros.PerDay;
        if (since >= upTo || upTo - since > StoreTimeline.MaxRangeMicros)
        {
            query.Fail("from", "from must lie before to, and at most 7 days before it.");
            return query.Problem("Invalid timeline query");
        }

        var polls = await stores.RecentPollsAsync(store.Key, upTo, cancellationToken);
        var intervals = StoreTimeline.Build(polls.ToArray(), store, since, upTo, options.Value.Estimation);
        return TypedResults.Ok(new TimelineView(
            store.StoreId, store.Zone.Id, "interpolated", UnixMicros.Format(since), UnixMicros.Format(upTo),
            [.. intervals.Select(Views.Interval)],
            [.. polls.Where(p => p.At >= since && p.At <= upTo).Select(PollView.From)]));
    }

    internal static ProblemHttpResult NotFound(string storeId) =>
        TypedResults.Problem($"No store with id '{(storeId.Length > 64 ? storeId[..64] + "..." : storeId)}'.", statusCode: StatusCodes.Status404NotFound, title: "Unknown store");
}

/// <summary>Opaque page cursors: the last key of the page, base64url.</summary>
internal static class Cursor
{
    public static string Encode(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? Decode(string? cursor, ApiQuery query)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var text = cursor.Replace('-', '+').Replace('_', '/');
            return Encoding.UTF8.GetString(Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=')));
        }
        catch (FormatException)
        {
            query.Fail("cursor", "cursor is not one this service gave out: use next_cursor from the previous page.");
            return null;
        }
    }
}
