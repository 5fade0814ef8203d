using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using StoreMonitoring.Security;

namespace StoreMonitoring.Api.Operations;

internal static class Telemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// OpenTelemetry metrics (ASP.NET Core, runtime and the service's own meter) for a Prometheus
    /// scrape; logs as JSON with trace and span ids outside Development, where a collector reads them.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("storemonitoring")).WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter(Meters.Name)
            .AddPrometheusExporter());

        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        return builder;
    }

    /// <summary>Needs the <c>read</c> scope like the data it describes: Prometheus sends the key as a bearer token.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ApiKeyFormat.Read);
        return app;
    }
}
