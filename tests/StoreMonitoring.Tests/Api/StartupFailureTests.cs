using System.Net;
using System.Net.Sockets;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>The real executable: each start-up failure is one line on standard error and a small exit code.</summary>
public sealed class StartupFailureTests
{
    private static async Task<ServiceProcess.Exit> StartAsync(TempDirectory folder, Dictionary<string, string> environment, params string[] args)
    {
        environment.TryAdd("ConnectionStrings__StoreMonitoring", $"Data Source={Path.Combine(folder.Path, "service.db")}");
        return await ServiceProcess.RunToExitAsync(folder.Path, environment, ["--urls", $"http://127.0.0.1:{ServiceProcess.FreePort()}", .. args]);
    }

    private static string OneLine(ServiceProcess.Exit exit)
    {
        var lines = exit.Error.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"expected one line on standard error, got:\n{exit.Error}");
        Assert.DoesNotContain("   at ", exit.Output + exit.Error, StringComparison.Ordinal);
        Assert.StartsWith("StoreMonitoring.Api: ", lines[0], StringComparison.Ordinal);
        return lines[0];
    }

    [Fact]
    public async Task A_bad_setting_names_the_setting_and_exits_2()
    {
        using var folder = new TempDirectory();
        var outOfRange = await StartAsync(folder, new() { ["StoreMonitoring__Reports__MaxConcurrentReports"] = "99" });
        Assert.Equal(2, outOfRange.ExitCode);
        Assert.Contains("StoreMonitoring:Reports:MaxConcurrentReports must be between 1 and 16", OneLine(outOfRange), StringComparison.Ordinal);

        var notANumber = await StartAsync(folder, new() { ["StoreMonitoring__Reports__MaxConcurrentReports"] = "many" });
        Assert.Equal(2, notANumber.ExitCode);
        var line = OneLine(notANumber);
        Assert.Contains("StoreMonitoring:Reports:MaxConcurrentReports = 'many' is not a whole number", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_without_keys_says_how_to_add_one_and_exits_2()
    {
        using var folder = new TempDirectory();
        var exit = await StartAsync(folder, new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("storemon apikey create", OneLine(exit), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_names_the_address_and_exits_3()
    {
        using var folder = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var exit = await ServiceProcess.RunToExitAsync(folder.Path, new Dictionary<string, string> { ["ConnectionStrings__StoreMonitoring"] = $"Data Source={Path.Combine(folder.Path, "s.db")}" }, "--urls", address);
        Assert.Equal(3, exit.ExitCode);
        Assert.Contains($"{address} is already in use", OneLine(exit), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_cannot_be_used_names_it_and_exits_4()
    {
        using var folder = new TempDirectory();
        var file = Path.Combine(folder.Path, "service.db");
        await using (var create = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=false"))
        {
            await create.OpenAsync();
            await using var command = create.CreateCommand();
            command.CommandText = "CREATE TABLE t (x INTEGER)";
            await command.ExecuteNonQueryAsync();
        }

        var readOnly = await StartAsync(folder, new() { ["ConnectionStrings__StoreMonitoring"] = $"Data Source={file};Mode=ReadOnly" });
        Assert.Equal(4, readOnly.ExitCode);
        var line = OneLine(readOnly);
        Assert.Contains($"'{file}'", line, StringComparison.Ordinal);
        Assert.Contains("read-only", line, StringComparison.Ordinal);

        // A directory that cannot be made: its parent is a file.
        var blocker = Path.Combine(folder.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "");
        var noDirectory = await StartAsync(folder, new() { ["ConnectionStrings__StoreMonitoring"] = $"Data Source={Path.Combine(blocker, "sub", "x.db")}" });
        Assert.Equal(4, noDirectory.ExitCode);
        Assert.Contains("does not exist and cannot be created", OneLine(noDirectory), StringComparison.Ordinal);

        var unreachable = await StartAsync(folder, new()
        {
            ["StoreMonitoring__Database__Provider"] = "mysql",
            ["ConnectionStrings__StoreMonitoring"] = $"Server=127.0.0.1;Port={ServiceProcess.FreePort()};User ID=u;Password=hunter2;Database=x;Connection Timeout=2",
        });
        Assert.Equal(4, unreachable.ExitCode);
        var unreachableLine = OneLine(unreachable);
        Assert.Contains("127.0.0.1:", unreachableLine, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", unreachableLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_prints_the_options_and_exits_0()
    {
        using var folder = new TempDirectory();
        var exit = await ServiceProcess.RunToExitAsync(folder.Path, new Dictionary<string, string>(), "--help");
        Assert.Equal(0, exit.ExitCode);
        Assert.Contains("--urls", exit.Output, StringComparison.Ordinal);
        Assert.Contains("Exit codes", exit.Output, StringComparison.Ordinal);
        Assert.Empty(exit.Error);
    }
}
