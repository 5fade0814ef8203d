using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Cli;

public sealed class EvaluateCommandTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Evaluate_without_a_report_scores_what_import_and_report_produce(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("generated");
        var generate = await Storemon.RunAsync(db, db.Folder.Path, "generate", "--stores", "40", "--days", "8", "--seed", "11", "--out", data);
        Assert.True(generate.ExitCode == 0, generate.Error);

        // The long way, on the test's own database (MariaDB too): import, report, evaluate the file.
        Assert.Equal(0, (await Storemon.RunAsync(db, db.Folder.Path, "import", data)).ExitCode);
        var expected = new Dictionary<string, string>();
        foreach (var method in new[] { "interpolated", "ratio" })
        {
            var report = Path.Combine(db.Folder.Path, $"{method}.csv");
            var reported = await Storemon.RunAsync(db, db.Folder.Path, "report", "--method", method, "--out", report);
            Assert.True(reported.ExitCode == 0, reported.Error);
            var scored = await Storemon.RunAsync(db, db.Folder.Path, "evaluate", "--data", data, "--report", report);
            Assert.True(scored.ExitCode == 0, scored.Error);
            expected[method] = Evaluation(scored.Output);
        }

        Assert.NotEqual(expected["interpolated"], expected["ratio"]);

        // The short way: evaluate alone, from an empty directory, with its temporary files watched.
        // The test database's settings are in its environment too: they must not be touched.
        var work = db.Folder.Sub("work");
        var temp = db.Folder.Sub("tmp");
        var environment = new Dictionary<string, string> { ["TMPDIR"] = temp };
        foreach (var (method, methodArgs) in new[] { ("interpolated", Array.Empty<string>()), ("ratio", ["--method", "ratio"]) })
        {
            var alone = await Storemon.RunAsync(db, work, environment, ["evaluate", "--data", data, .. methodArgs]);
            Assert.True(alone.ExitCode == 0, alone.Error);
            Assert.Equal(expected[method], Evaluation(alone.Output));
            Assert.Contains("store_status.csv", alone.Output);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
    }

    [Fact]
    public async Task Evaluate_alone_fails_clearly_and_cleans_up()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var work = db.Folder.Sub("work");
        var temp = db.Folder.Sub("tmp");
        var environment = new Dictionary<string, string> { ["TMPDIR"] = temp };

        var noInput = await Storemon.RunAsync(db, work, environment, "evaluate", "--data", db.Folder.Sub("empty"));
        Assert.Equal(1, noInput.ExitCode);
        Assert.Contains("No input files", noInput.Error);

        var both = await Storemon.RunAsync(db, work, environment, "evaluate", "--data", work, "--report", "r.csv", "--method", "ratio");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--method applies only without --report", both.Error);

        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
    }

    /// <summary>The evaluation itself, from its first line on (evaluate alone prints the import summary first).</summary>
    private static string Evaluation(string output) =>
        string.Join('\n', output.Split('\n').SkipWhile(line => !line.StartsWith("now ", StringComparison.Ordinal)));
}
