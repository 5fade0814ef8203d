using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using StoreMonitoring.Api.Stores;
using StoreMonitoring.Api.Ui;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring.Api.Reports;

/// <summary>
/// The responses that carry one property per report window (<see cref="ReportWindow.Standard"/>)
/// hold them as extension data; this names each window's property in their schemas, so the
/// OpenAPI document stays typed and follows the list.
/// </summary>
internal static class WindowsOpenApi
{
    public static async Task DescribeWindowsAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var windows = ReportWindow.Standard;
        if (type == typeof(JsonStoreRow) || type == typeof(StoreDetail))
        {
            var window = await context.GetOrCreateSchemaAsync(typeof(JsonWindow), cancellationToken: cancellationToken);
            Describe(schema, windows.Select(w => (w.Name, (IOpenApiSchema)window)));
        }
        else if (type == typeof(Units))
        {
            Describe(schema, windows.Select(w => (w.Name, (IOpenApiSchema)new OpenApiSchema { Type = JsonSchemaType.String, Description = $"\"{w.UnitName}\"" })));
        }
        else if (type == typeof(UptimeHistogram))
        {
            var charted = windows.Where(w => !w.UnknownToLikelier).ToList();
            var bins = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Integer } };
            Describe(schema, charted.Select(w => (w.Name, (IOpenApiSchema)bins))
                .Concat(charted.Select(w => ($"no_business_{w.Column}", (IOpenApiSchema)new OpenApiSchema { Type = JsonSchemaType.Integer }))));
        }
        else if (type == typeof(DowntimeRow))
        {
            var number = new OpenApiSchema { Type = JsonSchemaType.Number };
            var charted = windows.Where(w => !w.UnknownToLikelier).ToList();
            Describe(schema, charted.Select(w => ($"{w.Name}_downtime", (IOpenApiSchema)number)).Append(($"{charted[^1].Name}_business", number)));
        }
    }

    private static void Describe(OpenApiSchema schema, IEnumerable<(string Name, IOpenApiSchema Schema)> properties)
    {
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Required ??= new HashSet<string>();
        foreach (var (name, property) in properties)
        {
            schema.Properties[name] = property;
            schema.Required.Add(name);
        }

        schema.AdditionalProperties = null;
        schema.AdditionalPropertiesAllowed = false;
    }
}
