using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StoreMonitoring.Alerts;
using StoreMonitoring.Import;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;
using StoreMonitoring.Telemetry;

namespace StoreMonitoring;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The SQLite file used when no connection string is configured, the same for the service and
    /// <c>storemon</c> whatever directory either starts in: <c>storemonitoring.db</c> in the user's
    /// data directory (<c>$XDG_DATA_HOME/storemonitoring</c>, by default
    /// <c>~/.local/share/storemonitoring</c>), or under the content root where a user has none.
    /// </summary>
    public static string DefaultSqliteFile(string contentRoot)
    {
        var userData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(userData)
            ? Path.Combine(contentRoot, "storemonitoring.db")
            : Path.Combine(userData, "storemonitoring", "storemonitoring.db");
    }

    /// <summary>Registers the library: options, database, import, reports. The hosts add their own front ends.</summary>
    public static IServiceCollection AddStoreMonitoring(this IServiceCollection services)
    {
        services.AddOptions<StoreMonitoringOptions>()
            .BindConfiguration(StoreMonitoringOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IConfigureOptions<StoreMonitoringOptions>, ResolveStoreMonitoringOptions>();
        services.AddSingleton<IValidateOptions<StoreMonitoringOptions>, StoreMonitoringOptionsAnnotations>();
        services.AddSingleton<IValidateOptions<StoreMonitoringOptions>, StoreMonitoringOptionsRules>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value;
            return new StoreDatabase(SqlDialect.For(options.Database.Provider, options.Database.CausalReads), options.Database.ConnectionString!);
        });
        services.AddSingleton<Migrator>();
        services.AddSingleton<AppLock>();
        services.AddSingleton<ConflictRetry>();
        services.AddSingleton<AcceptedInstants>();
        services.AddSingleton<Stores.StoreProfileCache>();
        services.AddSingleton<IncidentUpdater>();
        services.AddSingleton<DataImporter>();
        services.AddSingleton<Ingest.PollIngest>();
        services.AddSingleton<Reports.StoreQueries>();
        services.AddSingleton<Import.StoreEdits>();
        services.AddSingleton<IncidentQueries>();
        services.AddSingleton<ReportCalculator>();
        services.AddSingleton<ReportJobs>();
        services.AddSingleton<ReportShards>();
        services.AddSingleton<ReportJobRunner>();
        services.AddSingleton<ReportQueue>();
        services.AddSingleton<WakeSignal<ReportJobs>>();
        services.AddSingleton<ReportRetention>();
        services.AddSingleton<Reports.Rollups.HistoryRetention>();
        services.AddSingleton<StoreMonitoringMetrics>();
        services.AddAlerts();
        services.AddHostedService<DatabaseInitializer>();
        return services;
    }
}

/// <summary>
/// Fills in what binding alone cannot: the connection string from <c>ConnectionStrings</c>, and
/// relative paths resolved against the content root, wherever the process was started from.
/// </summary>
internal sealed class ResolveStoreMonitoringOptions(IConfiguration configuration, IHostEnvironment environment) : IConfigureOptions<StoreMonitoringOptions>
{
    public void Configure(StoreMonitoringOptions options)
    {
        var root = environment.ContentRootPath;
        options.Database.ConnectionString ??= configuration.GetConnectionString("StoreMonitoring");
        if (options.Database.Provider == DatabaseProvider.Sqlite)
        {
            options.Database.ConnectionString = SqliteFile(options.Database.ConnectionString, root);
        }

        options.DataDirectory = Path.GetFullPath(options.DataDirectory, root);
        options.ReportDirectory = Path.GetFullPath(options.ReportDirectory, root);
    }

    private static string SqliteFile(string? connectionString, string root)
    {
        var builder = string.IsNullOrWhiteSpace(connectionString)
            ? new SqliteConnectionStringBuilder { DataSource = ServiceCollectionExtensions.DefaultSqliteFile(root) }
            : new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file))
        {
            builder.DataSource = Path.GetFullPath(file, root);
        }

        return builder.ConnectionString;
    }
}

/// <summary>Applies pending migrations before anything else starts, when configured to.</summary>
internal sealed class DatabaseInitializer(Migrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateIfConfiguredAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
