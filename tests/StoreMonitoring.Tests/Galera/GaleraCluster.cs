using System.Diagnostics;
using MySqlConnector;

namespace StoreMonitoring.Tests.Galera;

/// <summary>The Galera tests run one at a time, after the others: they share one cluster and kill its nodes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GaleraCollection : ICollectionFixture<GaleraCluster>
{
    public const string Name = "Galera";
}

/// <summary>
/// The three-node cluster that <c>.ci/galera.sh start</c> runs: its nodes' connection strings come from
/// <c>STOREMON_TEST_GALERA</c> (the three lines the script prints, joined with <c>|</c>), and node
/// crashes go through the same script with <c>GALERA_DIR</c> = <c>STOREMON_TEST_GALERA_DIR</c>.
/// </summary>
/// <remarks>
/// Locally, the tests skip with instructions when the variable is unset; on CI (<c>CI=true</c>) they
/// fail, so a broken set-up can never pass silently.
/// </remarks>
public sealed class GaleraCluster
{
    public const string Variable = "STOREMON_TEST_GALERA";
    public const string DirectoryVariable = "STOREMON_TEST_GALERA_DIR";

    public GaleraCluster()
    {
        Nodes = [.. (Environment.GetEnvironmentVariable(Variable) ?? "").Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        Directory = Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory ? directory : "/tmp/storemon-galera";
    }

    /// <summary>The nodes' connection strings (to the script's <c>storemon</c> database), node 1 first.</summary>
    public IReadOnlyList<string> Nodes { get; }

    public string Directory { get; }

    /// <summary>Whether cluster tests run: nodes are named, or CI requires them.</summary>
    public static bool Requested =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable))
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the test unless three nodes are configured (fails instead on CI).</summary>
    public void Require()
    {
        if (Nodes.Count == 3)
        {
            return;
        }

        var problem = Nodes.Count == 0 ? $"{Variable} is not set" : $"{Variable} holds {Nodes.Count} connection string(s), not 3";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI=true but {problem}: .ci/run must start the cluster and export it.");
        }

        Assert.Skip($"Galera tests are skipped ({problem}): run `GALERA_DIR=/tmp/storemon-galera bash .ci/galera.sh start` and export " +
            $"{Variable}=\"<its last three lines joined with |>\" (and {DirectoryVariable} if GALERA_DIR differs).");
    }

    /// <summary>A connection to node <paramref name="node"/> (1-based) on <paramref name="database"/>, reading what the cluster committed.</summary>
    public async Task<MySqlConnection> OpenAsync(int node, string? database = null)
    {
        var builder = new MySqlConnectionStringBuilder(Nodes[node - 1]) { Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SET SESSION wsrep_sync_wait = 1", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>kill -9 of node <paramref name="node"/>'s server.</summary>
    public Task KillNodeAsync(int node) => RunScriptAsync("kill-node", node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Starts node <paramref name="node"/> again and waits until it has rejoined and is Synced.</summary>
    public Task RestartNodeAsync(int node) => RunScriptAsync("restart-node", node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Waits until all three nodes run, are Synced and have applied what was committed.</summary>
    public Task WaitSyncedAsync() => RunScriptAsync("wait-synced");

    private async Task RunScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Script());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GALERA_DIR"] = Directory;
        var port = new MySqlConnectionStringBuilder(Nodes[0]).Port;
        start.Environment["GALERA_BASE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"galera.sh {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await error}");
    }

    private static string Script()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, ".ci", "galera.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException($"No .ci/galera.sh above {AppContext.BaseDirectory}.");
    }
}
