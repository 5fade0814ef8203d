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
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddProblemDetails();
        // A body read past its limit throws with 413 in it; everything else unexpected is a 500
        // whose problem details carry only the trace id, never the exception's text.
        services.Configure<ExceptionHandlerOptions>(options => options.StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Store Monitoring API";
            document.Info.Description = "Uptime and downtime of restaurant stores within their business hours.";
            return Task.CompletedTask;
        }));
        services.AddHttpLogging();
        return services;
    }
}
