using Microsoft.AspNetCore.Http.HttpResults;
using StoreMonitoring.Api.Debug;
using StoreMonitoring.Api.Stores;
using StoreMonitoring.Import;
using StoreMonitoring.Reports;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Ui;

internal sealed record StateCounts(int Total, int OpenNow, int Up, int Down, int Unknown, int Closed);

internal sealed record UiOverview(string Now, StateCounts Stores, LastImport? LastImport, IReadOnlyList<RejectedSample> RejectedRows);

/// <summary>
/// The overview's figures in one request: every store's state is computed once (not once per
/// <c>GET /stores?status=</c> count), and the last import is read without <c>/debug_data</c>'s
/// whole-table counts. At 3,678 stores each of those costs over a second.
/// </summary>
internal static class UiOverviewEndpoint
{
    public static async Task<Ok<UiOverview>> GetAsync(StoreQueries stores, StoreDatabase database, CancellationToken cancellationToken)
    {
        var now = await stores.DefaultNowAsync(cancellationToken);
        var states = (await stores.StatesAsync(now, cancellationToken)).Select(s => (State: Views.State(s.State), s.OpenNow)).ToList();
        int Count(string state) => states.Count(s => s.State == state);
        var last = await ImportRuns.LastAsync(database, cancellationToken);
        return TypedResults.Ok(new UiOverview(
            UnixMicros.Format(now),
            new StateCounts(states.Count, states.Count(s => s.OpenNow), Count("up"), Count("down"), Count("unknown"), Count("closed")),
            LastImports.From(last),
            LastImports.Rejected(last)));
    }
}
