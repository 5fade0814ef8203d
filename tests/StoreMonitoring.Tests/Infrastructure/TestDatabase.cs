using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Tests.Infrastructure;

public enum Engine
{
    Sqlite,
    MariaDb,
}

/// <summary>
/// A fresh, empty database per test on a real engine: a SQLite file in a temporary folder, or a
/// new database on the MariaDB server named by <c>STOREMON_TEST_MYSQL</c>.
/// </summary>
/// <remarks>
/// Locally, MariaDB cases are not generated when no server is configured (one skipped test says
/// so), and skip with the reason when the named server is unreachable; on CI
/// (<c>CI=true</c>) an unreachable server fails them, so a broken set-up can never pass silently.
/// </remarks>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string MySqlVariable = "STOREMON_TEST_MYSQL";

    private readonly string? _mysqlDatabase;
    private readonly string? _mysqlServer;

    private TestDatabase(Engine engine, string connectionString, TempDirectory folder, string? mysqlServer = null, string? mysqlDatabase = null)
    {
        Engine = engine;
        ConnectionString = connectionString;
        Folder = folder;
        _mysqlServer = mysqlServer;
        _mysqlDatabase = mysqlDatabase;
    }

    /// <summary>
    /// The engines a test runs on: MariaDB only when configured (always on CI, where a missing
    /// server must fail), so that an unconfigured run does not print a skip per test; the one line
    /// saying so is <see cref="EngineAvailabilityTests"/>.
    /// </summary>
    public static TheoryData<Engine> Engines => MariaDbRequested ? new(Engine.Sqlite, Engine.MariaDb) : new(Engine.Sqlite);

    /// <summary>Whether MariaDB cases are generated: a server is named, or CI requires one.</summary>
    public static bool MariaDbRequested =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(MySqlVariable))
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public Engine Engine { get; }

    public string ConnectionString { get; }

    /// <summary>A private folder for this test's data and reports (and the SQLite file).</summary>
    public TempDirectory Folder { get; }

    public string Provider => Engine == Engine.Sqlite ? "sqlite" : "mysql";

    public SqlDialect Dialect => SqlDialect.For(Engine == Engine.Sqlite ? DatabaseProvider.Sqlite : DatabaseProvider.MySql);

    /// <summary>A connection of the service's own kind, for a test to look at the tables.</summary>
    public Task<System.Data.Common.DbConnection> OpenAsync() => new StoreDatabase(Dialect, ConnectionString).OpenAsync();

    public static async Task<TestDatabase> CreateAsync(Engine engine)
    {
        var folder = new TempDirectory();
        if (engine == Engine.Sqlite)
        {
            return new TestDatabase(engine, $"Data Source={Path.Combine(folder.Path, "test.db")}", folder);
        }

        var server = Environment.GetEnvironmentVariable(MySqlVariable);
        var onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(server))
        {
            folder.Dispose();
            if (onCi)
            {
                throw new InvalidOperationException($"CI=true but {MySqlVariable} is not set: .ci/run must start MariaDB and export it.");
            }

            Assert.Skip($"MariaDB tests are skipped: run `bash .ci/mariadb.sh start` and export {MySqlVariable}=\"<the connection string it prints>\".");
        }

        var name = $"storemon_t_{Guid.NewGuid():N}"[..24];
        try
        {
            await using var connection = new MySqlConnection(server);
            await connection.OpenAsync();
            await using var create = new MySqlCommand($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", connection);
            await create.ExecuteNonQueryAsync();
        }
        catch (MySqlException ex) when (!onCi)
        {
            folder.Dispose();
            Assert.Skip($"MariaDB tests are skipped: the server in {MySqlVariable} is not reachable ({ex.Message}).");
        }

        var builder = new MySqlConnectionStringBuilder(server) { Database = name, AllowLoadLocalInfile = true };
        return new TestDatabase(engine, builder.ConnectionString, folder, server, name);
    }

    /// <summary>Configuration that points a host at this database and folder.</summary>
    public Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:StoreMonitoring"] = ConnectionString,
            ["StoreMonitoring:Database:Provider"] = Provider,
            ["StoreMonitoring:Database:MigrateOnStart"] = "true",
            ["StoreMonitoring:DataDirectory"] = Folder.Sub("data"),
            ["StoreMonitoring:ReportDirectory"] = Folder.Sub("reports"),
            ["StoreMonitoring:Reports:PollIntervalSeconds"] = "0.2",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The library's services on this database, with the schema in place.</summary>
    public async Task<IHost> StartLibraryAsync(params (string Key, string? Value)[] extra)
    {
        var host = BuildLibrary(extra);
        await host.Services.GetRequiredService<Migrator>().MigrateAsync();
        return host;
    }

    /// <summary>The library's services on this database, with nothing migrated yet.</summary>
    public IHost BuildLibrary(params (string Key, string? Value)[] extra)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Folder.Path, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(Settings(extra));
        builder.Logging.ClearProviders();
        builder.Services.AddStoreMonitoring();
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        if (_mysqlDatabase is not null)
        {
            MySqlConnection.ClearAllPools();
            await using var connection = new MySqlConnection(_mysqlServer);
            await connection.OpenAsync();
            await using var drop = new MySqlCommand($"DROP DATABASE IF EXISTS `{_mysqlDatabase}`", connection);
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        Folder.Dispose();
    }
}

/// <summary>A temporary folder removed with the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "storemon-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a finishing background task: the OS temp cleaner gets it.
        }
    }
}
