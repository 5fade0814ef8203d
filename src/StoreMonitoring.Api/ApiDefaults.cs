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
