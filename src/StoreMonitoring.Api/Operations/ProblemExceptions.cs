using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Api.Operations;

/// <summary>
/// Every exception that reaches the pipeline becomes problem details with a status and a
/// <c>detail</c> that says what to do, and never the exception's own text (it names hosts, paths
/// and types): a body that does not bind is a 400 naming the field, a full disk a 507, a database
/// out of reach a 503, anything else a 500 with only its trace id.
/// </summary>
internal sealed partial class ProblemExceptions(IProblemDetailsService problems, StoreDatabase database, ILogger<ProblemExceptions> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, errors) = Describe(exception, database.Dialect);
        if (status >= StatusCodes.Status500InternalServerError)
        {
            LogFailed(logger, exception, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", status);
        }

        httpContext.Response.StatusCode = status;
        var problem = errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new ValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    internal static (int Status, string Title, string Detail, Dictionary<string, string[]>? Errors) Describe(Exception exception, SqlDialect dialect)
    {
        if (exception is BadHttpRequestException bad)
        {
            if (FindJsonProblem(bad) is { } json)
            {
                return (StatusCodes.Status400BadRequest, "Invalid request body", json.Detail, new() { [json.Field] = [json.Detail] });
            }

            return (bad.StatusCode, bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "Request body too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported Content-Type",
                _ => "Bad request",
            }, Safe(bad.Message), null);
        }

        if (dialect.IsStorageFull(exception))
        {
            return (StatusCodes.Status507InsufficientStorage, "Insufficient storage",
                "The database has no space left (its disk or quota is full); nothing of this request was written. Try again once space is freed.", null);
        }

        if (dialect.IsUnavailableError(exception))
        {
            return (StatusCodes.Status503ServiceUnavailable, "Database unavailable",
                "The database cannot be reached right now; nothing of this request was written. Try again shortly, or through another instance.", null);
        }

        return (StatusCodes.Status500InternalServerError, "Internal error",
            "An unexpected error; nothing is shown of it here, the service's log has it under this response's trace_id.", null);
    }

    /// <summary>Which field of a JSON body failed, and how, from the deserializer's exception.</summary>
    private static (string Field, string Detail)? FindJsonProblem(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case JsonException json:
                    // The exception's own message names .NET types (often the enclosing one): the path and position say more.
                    var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path[1..];
                    var where = $"line {(json.LineNumber ?? 0) + 1}, byte {json.BytePositionInLine ?? 0}";
                    return (field, field == "body"
                        ? $"The body is not valid JSON, or not the shape this endpoint takes (an object or an array, see /docs) ({where})."
                        : $"{field}: the value has the wrong type or is malformed ({where}); see /docs for the field's type.");
                case InvalidOperationException or System.Text.DecoderFallbackException or ArgumentException:
                    // Invalid UTF-8 or a lone surrogate escape (\uD800) inside a string.
                    return ("body", "The body holds a string that is not valid Unicode (invalid UTF-8, or a lone surrogate escape such as \\uD800).");
            }
        }

        return null;
    }

    // ASP.NET's own messages name the handler's parameter (its C# type and name): the caller needs none of it.
    private static string Safe(string message) => ParameterName().Replace(message, "the request body");

    [GeneratedRegex("parameter \"[^\"]*\"", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();

    [LoggerMessage(9001, LogLevel.Error, "{Method} {Path} failed with {Status}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string path, int status);
}
