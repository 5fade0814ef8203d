using Microsoft.AspNetCore.Http.HttpResults;
using StoreMonitoring.Alerts;
using StoreMonitoring.Api.Operations;
using StoreMonitoring.Api.Security;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Api.Webhooks;

internal static class WebhookEndpoints
{
    private const int MaxStoreIds = 1000;
    private const int MaxMinMinutes = 7 * 24 * 60;

    // The largest valid subscription: a 2 KiB URL, every event, 1000 store ids of 255 characters.
    private const long CreateBodyBytes = 300 * 1024;

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        // Subscriptions decide where the service sends data and hold signing secrets: reading
        // them is as sensitive as changing them, so the whole group needs the write scope.
        var group = app.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Scopes.Write);

        group.MapPost("", Create)
            .WithBodyLimit(CreateBodyBytes)
            .WithName("CreateWebhook")
            .WithSummary("Subscribes a URL to events; the answer holds the signing secret, shown this once.");

        group.MapGet("", List)
            .WithName("ListWebhooks")
            .WithSummary("The subscriptions, oldest first (secrets are never shown again).");

        group.MapGet("/{id}", Get)
            .WithName("GetWebhook")
            .WithSummary("One subscription.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/{id}", Delete)
            .WithName("DeleteWebhook")
            .WithSummary("Deletes a subscription and its deliveries, sent or not.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id}/test", SendTest)
            .WithName("TestWebhook")
            .WithSummary("Queues a webhook.test event for the subscription.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{id}/deliveries", Deliveries)
            .WithName("ListWebhookDeliveries")
            .WithSummary("The subscription's deliveries, newest first: status, attempts, last response code and time.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<CreatedWebhookResponse>, ValidationProblem>> Create(
        CreateWebhookRequest request, WebhookSubscriptions subscriptions, DestinationGuard guard, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (await guard.CheckUrlAsync(request.Url, cancellationToken) is { } urlError)
        {
            errors["url"] = [urlError];
        }

        var events = request.Events ?? [];
        if (events.Count == 0 || events.Count > WebhookEvents.Subscribable.Count || events.Distinct().Count() != events.Count || events.Any(e => !WebhookEvents.Subscribable.Contains(e)))
        {
            errors["events"] = [$"Name one or more distinct events from: {string.Join(", ", WebhookEvents.Subscribable)}."];
        }

        if (request.StoreIds is { } ids)
        {
            var bad = ids.Select((id, i) => (i, Problem: string.IsNullOrWhiteSpace(id) ? "empty store_id" : StoreIds.Problem(id))).FirstOrDefault(p => p.Problem is not null);
            if (ids.Count is 0 or > MaxStoreIds || bad.Problem is not null)
            {
                errors["store_ids"] = [$"store_ids: give null for every store, or 1 to {MaxStoreIds} store ids of at most {StoreIds.MaxLength} characters"
                    + (bad.Problem is null ? "." : $"; store_ids[{bad.i}]: {bad.Problem}.")];
            }
        }

        var minMinutes = request.MinMinutes ?? 60;
        if (minMinutes is < 0 or > MaxMinMinutes)
        {
            errors["min_minutes"] = [$"min_minutes lies between 0 and {MaxMinMinutes} (a week)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, string.Join(" ", errors.Values.SelectMany(v => v)), title: "Invalid webhook subscription");
        }

        var subscription = await subscriptions.CreateAsync(request.Url!, events, request.StoreIds?.Distinct(StringComparer.Ordinal).ToList(), minMinutes, cancellationToken);
        return TypedResults.Created($"/webhooks/{subscription.WebhookId}", CreatedWebhookResponse.From(subscription));
    }

    private static async Task<Results<Ok<WebhookListResponse>, ValidationProblem>> List(WebhookSubscriptions subscriptions, string? limit, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var count = query.Int(limit, 100, 1, 1000, "limit");
        return query.IsValid
            ? TypedResults.Ok(new WebhookListResponse([.. (await subscriptions.ListAsync(count, cancellationToken)).Select(WebhookResponse.From)]))
            : query.Problem("Invalid webhook list query");
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Get(string id, WebhookSubscriptions subscriptions, CancellationToken cancellationToken) =>
        await FindAsync(id, subscriptions, cancellationToken) is { } subscription ? TypedResults.Ok(WebhookResponse.From(subscription)) : NotFound(id);

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, WebhookSubscriptions subscriptions, CancellationToken cancellationToken) =>
        IsId(id) && await subscriptions.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static async Task<Results<Accepted<TestEventResponse>, ProblemHttpResult>> SendTest(
        string id, WebhookSubscriptions subscriptions, WebhookOutbox outbox, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, subscriptions, cancellationToken) is not { } subscription)
        {
            return NotFound(id);
        }

        if (subscription.DisabledAtUs is not null)
        {
            return TypedResults.Problem(
                $"Webhook {id} is disabled ({subscription.DisabledReason}); create a new subscription.", statusCode: StatusCodes.Status409Conflict, title: "Webhook disabled");
        }

        var deliveryId = await outbox.EnqueueTestAsync(subscription, cancellationToken);
        return TypedResults.Accepted($"/webhooks/{id}/deliveries", new TestEventResponse(id, deliveryId, WebhookEvents.Test));
    }

    private static async Task<Results<Ok<DeliveryListResponse>, ProblemHttpResult, ValidationProblem>> Deliveries(
        string id, string? limit, WebhookSubscriptions subscriptions, WebhookOutbox outbox, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var count = query.Int(limit, 100, 1, 1000, "limit");
        if (!query.IsValid)
        {
            return query.Problem("Invalid deliveries query");
        }

        if (await FindAsync(id, subscriptions, cancellationToken) is null)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(new DeliveryListResponse(id, [.. (await outbox.ListAsync(id, count, cancellationToken)).Select(DeliveryResponse.From)]));
    }

    private static async Task<WebhookSubscription?> FindAsync(string id, WebhookSubscriptions subscriptions, CancellationToken cancellationToken) =>
        IsId(id) ? await subscriptions.GetAsync(id, cancellationToken) : null;

    private static bool IsId(string id) => Guid.TryParse(id, out _);

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem($"No webhook with id {(id.Length > 64 ? id[..64] + "..." : id)}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown webhook");
}
