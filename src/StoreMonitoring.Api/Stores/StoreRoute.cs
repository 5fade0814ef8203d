using StoreMonitoring.Stores;

namespace StoreMonitoring.Api.Stores;

/// <summary>
/// The <c>{store_id}</c> of every <c>/stores/{store_id}/...</c> route, checked against the one
/// alphabet (<see cref="StoreIds"/>) before the handler runs: an id that no file, poll or PUT could
/// have stored is a 400 that says why, never a 404 or a new store. (An encoded '/' arrives as the
/// text %2F, which servers leave undecoded: the alphabet refuses that text too.)
/// </summary>
internal static class StoreRoute
{
    public static TBuilder WithStoreId<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            StoreIds.Problem(context.HttpContext.Request.RouteValues["store_id"] as string ?? "") is { } problem
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["store_id"] = [problem] }, problem, title: "Invalid store id")
                : await next(context));
}
