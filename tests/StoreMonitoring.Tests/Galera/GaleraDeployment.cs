using System.Globalization;
using Dapper;
using MySqlConnector;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Galera;

/// <summary>
/// One test's deployment: a fresh database on the cluster and three service instances in this
/// process, instance N on node N (<c>Reports:InstanceName=nodeN</c>), with causal reads and short
/// leases so that a lost node's work is taken over within seconds.
/// </summary>
public sealed class GaleraDeployment : IAsyncDisposable
{
    private readonly GaleraCluster _cluster;
    private readonly StoreMonitoringApp?[] _apps = new StoreMonitoringApp?[3];
    private readonly HttpClient?[] _clients = new HttpClient?[3];
    private readonly (string Key, string? Value)[] _extra;

    private GaleraDeployment(GaleraCluster cluster, string database, (string Key, string? Value)[] extra)
    {
        _cluster = cluster;
        Database = database;
        _extra = extra;
    }

    private const int LeaseSeconds = 3;

    public string Database { get; }

    /// <summary>Instance N's data and report folders (N from 1 to 3).</summary>
    public TempDirectory[] Folders { get; } = [new(), new(), new()];

    public static string InstanceName(int node) => $"node{node}";

    /// <summary>Creates the database through node 1, waits until every node has it, and starts the three instances, instance 1 (which migrates) first.</summary>
    public static Task<GaleraDeployment> StartAsync(GaleraCluster cluster, params (string Key, string? Value)[] extra) => StartAsync(cluster, together: false, extra);

    /// <param name="together">Start the three instances at the same time, each migrating on start.</param>
    public static async Task<GaleraDeployment> StartAsync(GaleraCluster cluster, bool together, params (string Key, string? Value)[] extra)
    {
        cluster.Require();
        var name = $"storemon_g_{Guid.NewGuid():N}"[..24];
        await using (var connection = await cluster.OpenAsync(1))
        {
            await connection.ExecuteAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }

        var deployment = new GaleraDeployment(cluster, name, extra);
        try
        {
            for (var node = 2; node <= 3; node++)
            {
                // Causal reads: the query waits until this node has applied the CREATE DATABASE.
                await using var connection = await cluster.OpenAsync(node);
                Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = @name", new { name }));
            }

            // A host starts (and migrates) on its first request.
            async Task Ready(int node)
            {
                var client = await Task.Run(() => deployment.Start(node));
                Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
            }

            if (together)
            {
                await Task.WhenAll(Ready(1), Ready(2), Ready(3));
            }
            else
            {
                for (var node = 1; node <= 3; node++)
                {
                    await Ready(node);
                }
            }
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }

        return deployment;
    }

    public HttpClient Client(int node) => _clients[node - 1] ?? throw new InvalidOperationException($"Instance {node} is not running.");

    /// <summary>The settings of instance <paramref name="node"/>: its node's connection string on this test's database.</summary>
    public Dictionary<string, string?> Settings(int node)
    {
        var connection = new MySqlConnectionStringBuilder(_cluster.Nodes[node - 1]) { Database = Database, AllowLoadLocalInfile = true };
        var folder = Folders[node - 1];
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:StoreMonitoring"] = connection.ConnectionString,
            ["StoreMonitoring:Database:Provider"] = "mysql",
            ["StoreMonitoring:Database:MigrateOnStart"] = "true",
            ["StoreMonitoring:Database:CausalReads"] = "true",
            ["StoreMonitoring:DataDirectory"] = folder.Sub("data"),
            ["StoreMonitoring:ReportDirectory"] = folder.Sub("reports"),
            ["StoreMonitoring:Reports:InstanceName"] = InstanceName(node),
            ["StoreMonitoring:Reports:LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
            ["StoreMonitoring:Reports:PollIntervalSeconds"] = "0.5",
        };
        foreach (var (key, value) in _extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A connection to node <paramref name="node"/> on this test's database, with causal reads.</summary>
    public Task<MySqlConnection> OpenAsync(int node) => _cluster.OpenAsync(node, Database);

    private HttpClient Start(int node)
    {
        var app = new StoreMonitoringApp(Settings(node));
        _apps[node - 1] = app;
        return _clients[node - 1] = app.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        MySqlConnection.ClearAllPools();
        // Through any node that answers: a failed test may have left one down.
        for (var node = 1; node <= 3; node++)
        {
            try
            {
                await using var connection = await _cluster.OpenAsync(node);
                await connection.ExecuteAsync($"DROP DATABASE IF EXISTS `{Database}`");
                break;
            }
            catch (MySqlException) when (node < 3)
            {
            }
        }

        foreach (var folder in Folders)
        {
            folder.Dispose();
        }
    }
}
