using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace StoreMonitoring.Api.Operations;

/// <summary>
/// Problem details for a client whose <c>Accept</c> names no JSON type (<c>text/csv</c> for a
/// report, or garbage): the framework's writer declines those, which left a plain-text or empty
/// error, or an exception and a 500 where a component insists on problem details (the rate
/// limiter). Registered after it, this writer takes what it declines: an error is always JSON.
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<JsonOptions> json, IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        if (!problem.Extensions.ContainsKey("trace_id"))
        {
            problem.Extensions["trace_id"] = System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier;
        }

        return new ValueTask(http.Response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, "application/problem+json", http.RequestAborted));
    }
}
