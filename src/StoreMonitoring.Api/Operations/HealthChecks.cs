using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Api.Operations;

internal static partial class HealthChecks
{
    private const string Ready = "ready";

    public static IServiceCollection AddHealthEndpoints(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: [Ready]);
        return services;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers (no dependency, so a slow database never gets it
    /// restarted); <c>/health/ready</c>: the database answers and has every migration this build knows.
    /// Both anonymous and outside the rate limit, for load balancers and orchestrators.
    /// </summary>
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous().DisableRateLimiting().WithTags("Service");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync })
            .AllowAnonymous().DisableRateLimiting().WithTags("Service");
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            // One spelling of health states across /health, /health/live and /health/ready.
            status = Spelled(report.Status),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = Spelled(e.Value.Status), description = e.Value.Description }),
        });
    }

    private static string Spelled(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private sealed partial class DatabaseReadyCheck(StoreDatabase database, ILogger<DatabaseReadyCheck> logger) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var latest = Migrator.LatestVersion(database.Dialect.Name);
            try
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                var applied = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(version) FROM schema_migrations", cancellationToken: cancellationToken));
                return applied >= latest
                    ? HealthCheckResult.Healthy($"{database.Dialect.Name}, schema version {applied}")
                    : HealthCheckResult.Unhealthy($"The schema is at version {applied?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}; this build needs {latest}: run `storemon migrate`.");
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
            {
                // The reason goes to the log only: driver messages name hosts, users and paths.
                LogUnreachable(logger, ex);
                return HealthCheckResult.Unhealthy("The database is not reachable, or has no schema yet (see the service log).");
            }
        }

        [LoggerMessage(5201, LogLevel.Warning, "Readiness: the database check failed")]
        private static partial void LogUnreachable(ILogger logger, Exception exception);
    }
}
