using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Storage;

public sealed class CrossEngineTests
{
    [Fact]
    public async Task Sqlite_and_mariadb_produce_byte_identical_reports_from_the_same_data()
    {
        await using var sqlite = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using var mariadb = await TestDatabase.CreateAsync(Engine.MariaDb);
        var data = sqlite.Folder.Sub("data");
        InputData.WriteAll(data, stores: 40, seed: 11);

        var reports = new List<string>();
        foreach (var db in new[] { sqlite, mariadb })
        {
            Assert.Equal(0, (await Storemon.RunAsync(db, db.Folder.Path, "migrate")).ExitCode);
            var import = await Storemon.RunAsync(db, db.Folder.Path, "import", data);
            Assert.True(import.ExitCode == 0, import.Error);
            foreach (var method in new[] { "interpolated", "ratio" })
            {
                var report = await Storemon.RunAsync(db, db.Folder.Path, "report", "--method", method, "--columns", "extended");
                Assert.True(report.ExitCode == 0, report.Error);
                reports.Add(report.Output);
            }
        }

        Assert.Equal(reports[0], reports[2]);
        Assert.Equal(reports[1], reports[3]);
        Assert.Equal(41, reports[0].TrimEnd('\n').Split('\n').Length);
    }
}
