using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using StoreMonitoring.Api.Operations;
using StoreMonitoring.Api.Security;
using StoreMonitoring.Import;
using StoreMonitoring.Reports;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Api.Stores;

internal sealed record HoursItem(int? Day, string? StartTimeLocal, string? EndTimeLocal);

internal sealed record TimezoneBody(string? TimezoneStr);

internal sealed record StoreEdited(string StoreId, string Timezone, IReadOnlyList<HoursView> BusinessHours);

/// <summary><c>PUT /stores/{id}/hours</c> and <c>/timezone</c>: one store changed without a whole snapshot file.</summary>
internal static class StoreEditEndpoints
{
    private const int MaxWindows = 7 * 24;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/stores/{store_id}").WithTags("Live").RequireAuthorization(Scopes.Write).WithBodyLimit(64 * 1024).WithStoreId();
        group.MapPut("/hours", PutHoursAsync).WithName("PutStoreHours")
            .WithSummary("Replaces one store's weekly business hours: [{\"day\":0,\"start_time_local\":\"09:00:00\",\"end_time_local\":\"17:00:00\"}, ...]; [] means open 24x7.")
            .ProducesValidationProblem();
        group.MapPut("/timezone", PutTimezoneAsync).WithName("PutStoreTimezone")
            .WithSummary("Sets one store's time zone: {\"timezone_str\":\"America/New_York\"}.")
            .ProducesValidationProblem();
    }

    private static async Task<Results<Ok<StoreEdited>, ValidationProblem>> PutHoursAsync(
        string store_id, HoursItem[]? body, StoreEdits edits, StoreQueries stores, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var windows = new List<OpeningWindow>();
        if (body is null || body.Length > MaxWindows)
        {
            errors["body"] = [$"the body must be a JSON array of at most {MaxWindows} windows ([] for open 24x7)."];
        }
        else
        {
            for (var i = 0; i < body.Length; i++)
            {
                var item = body[i];
                if (item.Day is not (>= 0 and <= 6))
                {
                    errors[$"[{i}].day"] = ["day must be 0 (Monday) to 6 (Sunday)."];
                }
                else if (!LocalTimeText.TryParse(item.StartTimeLocal, out var start) || !LocalTimeText.TryParse(item.EndTimeLocal, out var end))
                {
                    errors[$"[{i}]"] = ["start_time_local and end_time_local must be HH:MM:SS, 00:00:00 to 24:00:00."];
                }
                else
                {
                    windows.Add(new OpeningWindow(item.Day.Value, start, end));
                }
            }
        }

        if (StoreIds.Problem(store_id) is { } problem)
        {
            errors["store_id"] = [problem];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, string.Join(" ", errors.Values.SelectMany(e => e)), title: "Invalid business hours");
        }

        await edits.SetHoursAsync(store_id, windows, cancellationToken);
        return TypedResults.Ok(await EditedAsync(store_id, stores, cancellationToken));
    }

    private static async Task<Results<Ok<StoreEdited>, ValidationProblem>> PutTimezoneAsync(
        string store_id, TimezoneBody? body, StoreEdits edits, StoreQueries stores, CancellationToken cancellationToken)
    {
        var zone = body?.TimezoneStr is { Length: > 0 and <= 64 } id ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) : null;
        var errors = new Dictionary<string, string[]>();
        if (zone is null)
        {
            errors["timezone_str"] = ["timezone_str must be an IANA time-zone name such as America/New_York."];
        }

        if (StoreIds.Problem(store_id) is { } problem)
        {
            errors["store_id"] = [problem];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, string.Join(" ", errors.Values.SelectMany(e => e)), title: "Invalid time zone");
        }

        await edits.SetTimezoneAsync(store_id, zone!, cancellationToken);
        return TypedResults.Ok(await EditedAsync(store_id, stores, cancellationToken));
    }

    private static async Task<StoreEdited> EditedAsync(string storeId, StoreQueries stores, CancellationToken cancellationToken)
    {
        var store = (await stores.FindAsync(storeId, cancellationToken))!;
        return new StoreEdited(store.StoreId, store.Zone.Id, Views.Hours(store.Schedule));
    }
}
