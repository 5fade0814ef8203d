using Microsoft.AspNetCore.Http.HttpResults;
using StoreMonitoring.Api.Reports;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Rollups;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Stores;

/// <summary>
/// <c>GET /stores/{id}?period=…</c>: one store's figures for a period, summed from its daily
/// rollups like its row of a period report (never raw polls, so it answers for dates whose polls
/// retention has deleted).
/// </summary>
internal static class StorePeriodEndpoint
{
    public static async Task<Results<Ok<StoreDetail>, Ok<StorePeriodView>, ValidationProblem, ProblemHttpResult>> GetAsync(
        string storeId, string period, string? method, string? now, StoreQueries stores, StoreDatabase database, AcceptedInstants accepted, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var requested = query.Instant(now, accepted, "now");
        var parsed = query.Period(period, method, "a period's figures");
        if (!query.IsValid || parsed is null)
        {
            return query.Problem("Invalid store query");
        }

        if (await stores.FindAsync(storeId, cancellationToken) is not { } store)
        {
            return StoreEndpoints.NotFound(storeId);
        }

        // The same now as a period report: the latest poll (the clock only when there is none).
        var at = requested ?? await stores.DefaultNowAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await PeriodReport.ForStoreAsync(connection, store, parsed, at, cancellationToken);
        return TypedResults.Ok(new StorePeriodView(store.StoreId, store.Zone.Id, parsed.Text, UnixMicros.Format(at), PeriodStoreRow.From(row)));
    }
}

/// <summary>A store's figures for a period: its row of the period report with the same now.</summary>
internal sealed record StorePeriodView(string StoreId, string Timezone, string Period, string Now, PeriodStoreRow Figures);
