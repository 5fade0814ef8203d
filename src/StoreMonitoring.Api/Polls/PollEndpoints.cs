using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.Extensions.Options;
using StoreMonitoring.Api.Operations;
using StoreMonitoring.Api.Security;
using StoreMonitoring.Ingest;

namespace StoreMonitoring.Api.Polls;

/// <summary><c>POST /polls</c>: a poller pushes its results as they happen.</summary>
internal static class PollEndpoints
{
    public static IEndpointRouteBuilder MapPolls(this IEndpointRouteBuilder app)
    {
        var limit = app.ServiceProvider.GetRequiredService<IOptions<BodyLimitOptions>>().Value.IngestBodyBytes;
        app.MapPost("/polls", IngestAsync)
            .RequireAuthorization(Scopes.Write).WithBodyLimit(limit)
            .WithTags("Live")
            .WithName("IngestPolls")
            .WithSummary("Takes a batch of up to 100,000 polls: a JSON array, NDJSON or CSV (by Content-Type).")
            .WithDescription("Each poll: store_id, status (active or inactive), timestamp_utc. The same rules as the file import: polls are unique per store and instant (a repeat is unchanged, a contradiction a conflict; the first accepted wins), bad polls are skipped and reported by index (JSON) or line (NDJSON, CSV). The stores' incidents are current when the answer is sent.")
            .AddOpenApiOperationTransformer(DescribeBodyAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    // The body is described here rather than with Accepts(), which would also make routing refuse
    // other content types with a bare 415 before the handler can say which ones it takes.
    private static async Task DescribeBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var items = await context.GetOrCreateSchemaAsync(typeof(IngestPollItem[]), cancellationToken: cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "Up to 100,000 polls: a JSON array, NDJSON (one object per line) or CSV with the store_status.csv header.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = items },
                ["application/x-ndjson"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        };
    }

    private static async Task<Results<Ok<IngestResult>, ProblemHttpResult>> IngestAsync(
        HttpContext context, PollIngest ingest, StoreMonitoring.Storage.StoreDatabase database, CancellationToken cancellationToken)
    {
        var format = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "application/json" => PollFormat.Json,
            "application/x-ndjson" or "application/jsonl" or "application/jsonlines" or "application/x-jsonlines" => PollFormat.NdJson,
            "text/csv" => PollFormat.Csv,
            _ => (PollFormat?)null,
        };
        if (format is null)
        {
            return TypedResults.Problem(
                "Send the polls as application/json (an array), application/x-ndjson (one object per line) or text/csv (the store_status.csv header).",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Content-Type");
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex)
        {
            return TypedResults.Problem("The body is larger than this endpoint takes.", statusCode: ex.StatusCode, title: "Request body too large");
        }

        try
        {
            return TypedResults.Ok(await ingest.IngestAsync(body, format.Value, cancellationToken));
        }
        catch (Exception ex) when (ex is InvalidPollBatchException or StoreMonitoring.Import.InvalidInputFileException)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid batch of polls");
        }
        catch (System.Data.Common.DbException ex) when (database.Dialect.IsContention(ex))
        {
            // A long file import holds the database (SQLite has one writer), or on a Galera cluster
            // another instance kept committing the same stores first: nothing of the batch was
            // applied, and the same batch sent again is taken as if it were the first.
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(
                "The database is busy with another write (a file import, or another instance writing the same stores); nothing of this batch was applied. Send it again shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database busy");
        }
    }
}

/// <summary>One poll of a JSON batch, for the OpenAPI document.</summary>
internal sealed record IngestPollItem(string StoreId, string Status, string TimestampUtc);
