using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Cli;

/// <summary>What <c>storemon</c> says to a command line it cannot run: one line, exit 2, no .NET type names.</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData("stor", "unknown command 'stor'. Did you mean 'storemon store'?")]
    [InlineData("webhooks lst", "unknown command 'lst'. Did you mean 'storemon webhooks list'?")]
    [InlineData("incidents --limit abc", "--limit 'abc' is not a whole number.")]
    [InlineData("incidents --limit 0", "--limit must be 1 to 10,000.")]
    [InlineData("report --bogus", "unknown option '--bogus' for 'storemon report'.")]
    [InlineData("store", "'storemon store' needs <id>.")]
    public async Task A_bad_command_line_exits_2_with_only_the_rule_that_failed(string commandLine, string expected)
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var result = await Storemon.RunAsync(db, db.Folder.Path, commandLine.Split(' '));
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"storemon: {expected}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task A_missing_data_directory_says_it_does_not_exist()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var missing = Path.Combine(db.Folder.Path, "no-such-dir");
        var result = await Storemon.RunAsync(db, db.Folder.Path, "import", missing);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"The data directory '{missing}' does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_cannot_be_written_names_its_path_and_exits_4()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var file = Path.Combine(db.Folder.Path, "ro.db");
        await using (var create = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=false"))
        {
            await create.OpenAsync();
            await using var command = create.CreateCommand();
            command.CommandText = "CREATE TABLE t (x INTEGER)";
            await command.ExecuteNonQueryAsync();
        }

        var result = await Storemon.RunAsync(db, db.Folder.Path, new Dictionary<string, string> { ["ConnectionStrings__StoreMonitoring"] = $"Data Source={file};Mode=ReadOnly" }, "incidents");
        Assert.Equal(4, result.ExitCode);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains($"'{file}'", line, StringComparison.Ordinal);
        Assert.Contains("read-only", line, StringComparison.Ordinal);
    }
}
