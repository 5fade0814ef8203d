using System.Text.Json;
using System.Text.Json.Serialization;

namespace StoreMonitoring.Api;

internal static class ApiDefaults
{
    /// <summary>JSON in snake_case, as the original service spoke it; problem details for every error.</summary>
    public static IServiceCollection AddApiDefaults(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            options.SerializerOptions.Converters.Add(new UtcInstantConverter());
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        // A status the pipeline sets without a body (no route, a method the route does not take)
        // still says what to do.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => $"Nothing at {context.HttpContext.Request.Method} {Shorten(context.HttpContext.Request.Path)}: the endpoints are listed at /docs and in /openapi/v1.json.",
                StatusCodes.Status405MethodNotAllowed => $"{Shorten(context.HttpContext.Request.Path)} does not take {context.HttpContext.Request.Method}; the Allow header lists what it takes.",
                StatusCodes.Status415UnsupportedMediaType => "This endpoint does not take this Content-Type: send application/json.",
                StatusCodes.Status401Unauthorized => "Send an API key: Authorization: Bearer <key> or X-API-Key: <key>.",
                StatusCodes.Status403Forbidden => "The API key lacks the scope this endpoint needs.",
                StatusCodes.Status400BadRequest => "The request could not be read.",
                _ => null,
            });
        services.AddSingleton<Microsoft.AspNetCore.Http.IProblemDetailsWriter, Operations.ProblemJsonWriter>();
        services.AddExceptionHandler<Operations.ProblemExceptions>();
        // A body that does not bind (bad JSON, a wrong type) throws, so that ProblemExceptions can
        // say which field and why; otherwise it is a bare 400 in every environment but Development.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        // A body read past its limit throws with 413 in it; a database that cannot be reached (a
        // cluster node down) is a 503 to try again, through another instance or later; everything
        // else unexpected is a 500. Problem details carry only the trace id, never the exception's text.
        services.AddOptions<ExceptionHandlerOptions>().Configure<StoreMonitoring.Storage.StoreDatabase>((options, database) => options.StatusCodeSelector = ex => ex switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            _ when database.Dialect.IsStorageFull(ex) => StatusCodes.Status507InsufficientStorage,
            _ when database.Dialect.IsUnavailableError(ex) => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        });
        services.AddOpenApi(options => options
            .AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Store Monitoring API";
                document.Info.Description = "Uptime and downtime of restaurant stores within their business hours.";
                return Task.CompletedTask;
            })
            .AddSchemaTransformer(Reports.WindowsOpenApi.DescribeWindowsAsync));
        services.AddHttpLogging();
        return services;
    }

    private static string Shorten(PathString path) =>
        path.Value is { Length: > 100 } text ? text[..100] + "..." : path.Value ?? "/";

    /// <summary>
    /// Listens on <paramref name="urls"/> unless the standard ways say otherwise: <c>ASPNETCORE_URLS</c>,
    /// <c>--urls</c>, <c>Urls</c> in configuration, <c>ASPNETCORE_HTTP_PORTS</c> or Kestrel endpoints.
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrls(this WebApplicationBuilder builder, string urls)
    {
        var configuration = builder.Configuration;
        var configured = !string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!configured)
        {
            builder.WebHost.UseUrls(urls);
        }

        return builder;
    }
}

/// <summary>
/// Instants held as <see cref="DateTimeOffset"/> (an import's start and end) in the one format of
/// every other instant the API writes (<see cref="StoreMonitoring.Time.UnixMicros.Format"/>): UTC, <c>Z</c>,
/// the shortest exact fraction, instead of .NET's seven digits and <c>+00:00</c>.
/// </summary>
internal sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(StoreMonitoring.Time.UnixMicros.Format(StoreMonitoring.Time.UnixMicros.FromDateTimeOffset(value)));
}
