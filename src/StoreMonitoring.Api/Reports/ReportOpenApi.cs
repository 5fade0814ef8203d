using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace StoreMonitoring.Api.Reports;

/// <summary>
/// <c>GET /get_report</c> answers 200 in three shapes: the state of an unfinished report, the JSON
/// report, or the CSV. The typed results name one shape per status; this says all three.
/// </summary>
internal static class ReportOpenApi
{
    public static async Task DescribeDownloadsAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var state = await context.GetOrCreateSchemaAsync(typeof(ReportState), cancellationToken: cancellationToken);
        var report = await context.GetOrCreateSchemaAsync(typeof(JsonReport), cancellationToken: cancellationToken);
        var ok = new OpenApiResponse
        {
            Description = "The report's state while it is queued, running or failed; the finished report as CSV (the default) or JSON (format=json).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = [state, report] } },
                ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        };
        operation.Responses ??= [];
        operation.Responses["200"] = ok;
    }
}
