using StoreMonitoring.Reports;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Cli;

public sealed class CliTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Import_then_report_writes_the_same_csv_as_the_api(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        InputData.WriteAll(data, stores: 15);

        var import = await Storemon.RunAsync(db, db.Folder.Path, "import", data);
        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Contains("store_status.csv", import.Output);
        Assert.Contains("2,895", import.Output);

        var stdout = await Storemon.RunAsync(db, db.Folder.Path, "report", "--method", "ratio");
        Assert.True(stdout.ExitCode == 0, stdout.Error);
        var outFile = Path.Combine(db.Folder.Path, "out", "r.csv");
        var toFile = await Storemon.RunAsync(db, db.Folder.Path, "report", "--method", "ratio", "--out", outFile);
        Assert.True(toFile.ExitCode == 0, toFile.Error);
        Assert.Equal(stdout.Output, await File.ReadAllTextAsync(outFile));
        Assert.StartsWith(ReportCsv.Header + "\n", stdout.Output, StringComparison.Ordinal);

        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        var reportId = await client.TriggerAsync("?method=ratio");
        var api = await (await client.WaitForReportAsync(reportId)).Content.ReadAsStringAsync();
        Assert.Equal(api, stdout.Output);
    }

    [Fact]
    public async Task Report_with_a_fixed_now_and_extended_columns()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var data = db.Folder.Sub("data");
        InputData.WriteAll(data, stores: 4);
        Assert.Equal(0, (await Storemon.RunAsync(db, db.Folder.Path, "import", data)).ExitCode);

        var result = await Storemon.RunAsync(db, db.Folder.Path, "report", "--now", "2024-10-10T12:00:00Z", "--columns", "extended");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(ReportCsv.ExtendedHeader, lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Contains("now 2024-10-10T12:00:00Z", result.Error);
    }

    [Fact]
    public async Task Report_for_a_period_writes_a_row_per_store_from_the_rollups()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var data = db.Folder.Sub("data");
        InputData.WriteAll(data, stores: 4);
        Assert.Equal(0, (await Storemon.RunAsync(db, db.Folder.Path, "import", data)).ExitCode);

        var result = await Storemon.RunAsync(db, db.Folder.Path, "report", "--period", "last_7_days", "--now", "2024-10-10T12:00:00Z");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(StoreMonitoring.Reports.Rollups.PeriodCsv.Header, lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.EndsWith(",true", line));

        var bad = await Storemon.RunAsync(db, db.Folder.Path, "report", "--period", "week:2024-W60");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("period 'week:2024-w60' is not a valid week", bad.Error);
    }

    [Fact]
    public async Task Failures_exit_non_zero_with_a_clear_message()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);

        var noFiles = await Storemon.RunAsync(db, db.Folder.Path, "import", db.Folder.Sub("empty"));
        Assert.Equal(1, noFiles.ExitCode);
        Assert.Contains("No input files", noFiles.Error);

        var badMethod = await Storemon.RunAsync(db, db.Folder.Path, "report", "--method", "guess");
        Assert.NotEqual(0, badMethod.ExitCode);
        Assert.Contains("--method 'guess' is not a method", badMethod.Error);

        var noData = await Storemon.RunAsync(db, db.Folder.Path, "report");
        Assert.Equal(1, noData.ExitCode);
        Assert.Contains("no polls imported yet: import first", noData.Error);

        var data = db.Folder.Sub("bad");
        InputData.Write(Path.Combine(data, "store_status.csv"), "id,state\n1,up\n");
        var badHeader = await Storemon.RunAsync(db, db.Folder.Path, "import", data);
        Assert.Equal(1, badHeader.ExitCode);
        Assert.Contains("store_status.csv: bad header", badHeader.Error);
    }

    [Fact]
    public async Task Migrate_creates_the_schema_once()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var first = await Storemon.RunAsync(db, db.Folder.Path, "migrate");
        var second = await Storemon.RunAsync(db, db.Folder.Path, "migrate");
        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Contains("up to date", second.Output);
    }
}
