using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StoreMonitoring.Import;
using StoreMonitoring.Reports;
using StoreMonitoring.Storage;
using StoreMonitoring.Telemetry;

namespace StoreMonitoring;

public static class ServiceCollectionExtensions
{
    /// <summary>The connection string used when none is configured: a SQLite file under the content root.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=storemonitoring.db";

    /// <summary>Registers the library: options, database, import, reports. The hosts add their own front ends.</summary>
    public static IServiceCollection AddStoreMonitoring(this IServiceCollection services)
    {
        services.AddOptions<StoreMonitoringOptions>()
            .BindConfiguration(StoreMonitoringOptions.Section)
            .Configure<IConfiguration, IHostEnvironment>(static (options, configuration, environment) =>
            {
                options.Database.ConnectionString ??= configuration.GetConnectionString("StoreMonitoring");
                options.Database.ConnectionString = ResolveConnectionString(options.Database, environment.ContentRootPath);
                options.DataDirectory = Path.GetFullPath(options.DataDirectory, environment.ContentRootPath);
                options.ReportDirectory = Path.GetFullPath(options.ReportDirectory, environment.ContentRootPath);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value;
            return new StoreDatabase(SqlDialect.For(options.Database.Provider), options.Database.ConnectionString!);
        });
        services.AddSingleton<Migrator>();
        services.AddSingleton<AppLock>();
        services.AddSingleton<DataImporter>();
        services.AddSingleton<ReportCalculator>();
        services.AddSingleton<ReportJobs>();
        services.AddSingleton<ReportJobRunner>();
        services.AddSingleton<ReportQueue>();
        services.AddSingleton<ReportRetention>();
        services.AddSingleton<StoreMonitoringMetrics>();
        services.AddHostedService<DatabaseInitializer>();
        return services;
    }

    /// <summary>A relative SQLite file lives under the content root, wherever the process was started from.</summary>
    internal static string ResolveConnectionString(DatabaseOptions database, string contentRoot)
    {
        var connectionString = database.ConnectionString;
        var isSqlite = string.Equals(database.Provider, "sqlite", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (!isSqlite)
            {
                throw new OptionsValidationException(nameof(StoreMonitoringOptions), typeof(StoreMonitoringOptions),
                    ["ConnectionStrings:StoreMonitoring is required when StoreMonitoring:Database:Provider is mysql."]);
            }

            connectionString = DefaultSqliteConnectionString;
        }

        if (!isSqlite)
        {
            return connectionString;
        }

        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file))
        {
            builder.DataSource = Path.GetFullPath(file, contentRoot);
        }

        return builder.ConnectionString;
    }
}

/// <summary>Applies pending migrations before anything else starts, when configured to.</summary>
internal sealed class DatabaseInitializer(Migrator migrator, StoreDatabase database, IOptions<StoreMonitoringOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Database.MigrateOnStart ?? database.Dialect.MigrateOnStartByDefault)
        {
            await migrator.MigrateAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
