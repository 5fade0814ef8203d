using System.CommandLine;
using System.Globalization;
using StoreMonitoring.Cli;
using StoreMonitoring.Lab.Evaluation;
using StoreMonitoring.Lab.Generation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Lab;

public sealed class ReportEvaluatorTests
{
    private static readonly Lazy<(string Directory, GenerationSummary Summary)> Data = new(() =>
    {
        var directory = GeneratedFiles.TempDirectory();
        return (directory, DataGenerator.Generate(new GeneratorOptions(80, 9, 31), directory));
    });

    private static string Truth => Path.Combine(Data.Value.Directory, DataGenerator.TruthFileName);

    [Fact]
    public void A_report_equal_to_the_truth_has_no_error()
    {
        var result = ReportEvaluator.Evaluate(Data.Value.Directory, Truth);

        Assert.Equal(Data.Value.Summary.Now, result.Now);
        Assert.Equal(result.TruthStores, result.Compared);
        Assert.Equal(0, result.MissingFromReport);
        Assert.Equal(0, result.MissingFromTruth);
        Assert.All(result.Columns, c =>
        {
            Assert.Equal(0, c.MeanAbsoluteError);
            Assert.Equal(0, c.Bias);
            Assert.Equal(0, c.PolledMeanAbsoluteError);
        });
    }

    [Fact]
    public void A_perturbed_report_has_the_expected_error()
    {
        var lines = File.ReadAllLines(Truth);
        var header = lines[0] + ",extra";
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var dropped = rows[^1][0];
        rows.RemoveAt(rows.Count - 1);
        // Ten stores overstate their weekly uptime by 1.5 hours and understate their daily downtime by 0.25.
        var changed = rows.Take(10).Select(r => r[0]).ToHashSet();
        foreach (var row in rows.Take(10))
        {
            row[3] = Shift(row[3], 1.5);
            row[5] = Shift(row[5], -0.25);
        }

        var report = Path.Combine(GeneratedFiles.TempDirectory(), "report.csv");
        File.WriteAllLines(report, [header, .. rows.Select(r => string.Join(",", r) + ",x"), "not-in-truth,1,1,1,1,1,1,x"]);

        var result = ReportEvaluator.Evaluate(Data.Value.Directory, report);

        var compared = rows.Count;
        Assert.Equal(compared, result.Compared);
        Assert.Equal(1, result.MissingFromReport);
        Assert.Equal(1, result.MissingFromTruth);
        var week = result.Columns.Single(c => c.Column == "uptime_last_week");
        Assert.Equal(10 * 1.5 / compared, week.MeanAbsoluteError, 9);
        Assert.Equal(10 * 1.5 / compared, week.Bias, 9);
        var day = result.Columns.Single(c => c.Column == "downtime_last_day");
        Assert.Equal(10 * 0.25 / compared, day.MeanAbsoluteError, 9);
        Assert.Equal(-10 * 0.25 / compared, day.Bias, 9);
        Assert.All(result.Columns.Where(c => c.Column is not ("uptime_last_week" or "downtime_last_day")), c => Assert.Equal(0, c.MeanAbsoluteError));

        // Over the stores with a poll in the window, counted here from the status file directly.
        var latest = GeneratedFiles.Status(Data.Value.Directory).GroupBy(s => s.Store).ToDictionary(g => g.Key, g => g.Max(s => s.At));
        var now = Data.Value.Summary.Now;
        var polledWeek = rows.Select(r => r[0]).Where(id => latest[id] >= now - 7 * UnixMicros.PerDay).ToList();
        var polledDay = rows.Select(r => r[0]).Where(id => latest[id] >= now - UnixMicros.PerDay).ToList();
        Assert.Equal(polledWeek.Count, week.PolledStores);
        Assert.Equal(polledWeek.Count(changed.Contains) * 1.5 / polledWeek.Count, week.PolledMeanAbsoluteError, 9);
        Assert.Equal(polledDay.Count, day.PolledStores);
        Assert.Equal(polledDay.Count(changed.Contains) * 0.25 / polledDay.Count, day.PolledMeanAbsoluteError, 9);
        Assert.NotEqual(dropped, rows[0][0]);
    }

    [Theory]
    [InlineData("store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day\na,1,1,1,1,1\n", "bad header")]
    [InlineData("store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week\na,1,1,1,1,1,oops\n", ":2: downtime_last_week 'oops'")]
    [InlineData("store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week\na,1,1,1,1,1,1\na,1,1,1,1,1,1\n", "appears twice")]
    [InlineData("store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week\na,1,1\n", "expected 7 columns")]
    [InlineData("", "an empty file")]
    public void A_malformed_report_is_refused_with_the_reason(string content, string reason)
    {
        var report = Path.Combine(GeneratedFiles.TempDirectory(), "report.csv");
        File.WriteAllText(report, content);

        var error = Assert.Throws<MalformedCsvException>(() => ReportEvaluator.Evaluate(Data.Value.Directory, report));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_verbs_exit_non_zero_on_a_malformed_report()
    {
        var root = new RootCommand { GenerateCommand.Create(), EvaluateCommand.Create() };
        var directory = GeneratedFiles.TempDirectory();
        var report = Path.Combine(directory, "bad.csv");
        await File.WriteAllTextAsync(report, "store_id,nothing\n", TestContext.Current.CancellationToken);

        Assert.Equal(0, await root.Parse(["generate", "--stores", "20", "--days", "8", "--seed", "3", "--out", directory]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(0, await root.Parse(["evaluate", "--data", directory, "--report", Path.Combine(directory, "truth.csv")]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(1, await root.Parse(["evaluate", "--data", directory, "--report", report]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken));
    }

    private static string Shift(string value, double delta) =>
        (double.Parse(value, CultureInfo.InvariantCulture) + delta).ToString("0.00", CultureInfo.InvariantCulture);
}
