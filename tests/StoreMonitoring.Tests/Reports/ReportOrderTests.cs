using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Reports;

public sealed class ReportOrderTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_report_does_not_depend_on_the_order_of_input_rows(Engine engine)
    {
        string Report(string folder) => Path.Combine(folder, "report.csv");
        var outputs = new List<string>();
        foreach (var shuffle in new[] { false, true })
        {
            await using var db = await TestDatabase.CreateAsync(engine);
            var data = db.Folder.Sub("data");
            InputData.WriteAll(data, stores: 12, seed: 5);
            if (shuffle)
            {
                foreach (var file in Directory.GetFiles(data))
                {
                    var lines = File.ReadAllLines(file);
                    var body = lines.Skip(1).ToArray();
                    new Random(3).Shuffle(body);
                    File.WriteAllLines(file, [lines[0], .. body]);
                }
            }

            Assert.Equal(0, (await Storemon.RunAsync(db, db.Folder.Path, "import", data)).ExitCode);
            var result = await Storemon.RunAsync(db, db.Folder.Path, "report", "--columns", "extended", "--out", Report(db.Folder.Path));
            Assert.Equal(0, result.ExitCode);
            outputs.Add(await File.ReadAllTextAsync(Report(db.Folder.Path)));
        }

        Assert.Equal(outputs[0], outputs[1]);
    }
}
