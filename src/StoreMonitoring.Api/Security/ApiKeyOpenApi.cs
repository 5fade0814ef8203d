using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace StoreMonitoring.Api.Security;

/// <summary>
/// Tells the OpenAPI document how to authenticate: the two ways of sending a key and, per operation,
/// the scope it needs and the 401/403/429 answers. Only when keys are in use: an open service has none.
/// </summary>
internal static class ApiKeyOpenApi
{
    private const string Bearer = "bearer";
    private const string Header = "apiKey";

    public static IServiceCollection AddApiKeyOpenApi(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>("v1", options => options
            .AddDocumentTransformer((document, context, _) =>
            {
                if (context.ApplicationServices.GetRequiredService<ApiAccess>().KeysRequired)
                {
                    document.Components ??= new OpenApiComponents();
                    document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                    document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API key from `storemon apikey create`.",
                    };
                    document.Components.SecuritySchemes[Header] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyHandler.HeaderName, Description = "The same key in a header of its own.",
                    };
                }

                return Task.CompletedTask;
            })
            .AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (!context.ApplicationServices.GetRequiredService<ApiAccess>().KeysRequired || metadata.OfType<IAllowAnonymous>().Any())
                {
                    return Task.CompletedTask;
                }

                var scope = metadata.OfType<IAuthorizeData>().LastOrDefault(a => a.Policy is not null)?.Policy ?? Scopes.Read;
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [scope] });
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Header, context.Document)] = [scope] });
                operation.Responses ??= [];
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid API key (problem details)." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"The key lacks the '{scope}' scope (problem details)." });
                operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Rate limit reached; see Retry-After (problem details)." });
                return Task.CompletedTask;
            }));
}
