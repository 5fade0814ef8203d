using System.CommandLine;
using StoreMonitoring.Lab.Evaluation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Cli;

internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Directory written by `storemon generate` (truth.csv and store_status.csv)", Required = true };
        var report = new Option<string>("--report") { Description = "Report CSV to score: the seven columns; other columns are ignored", Required = true };
        var now = new Option<string?>("--now") { Description = "End of the windows, ISO 8601 (default: the latest timestamp in store_status.csv)" };
        var command = new Command("evaluate", "Print a report's mean absolute error against a generated data set's truth, column by column.") { data, report, now };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(
            _ => Task.FromResult(Run(parse.GetValue(data)!, parse.GetValue(report)!, parse.GetValue(now))), cancellationToken));
        return command;
    }

    private static int Run(string data, string report, string? nowText)
    {
        long? now = null;
        if (nowText is not null)
        {
            now = TimestampParser.TryParse(nowText, out var parsed)
                ? parsed
                : throw new ArgumentException($"--now '{nowText}' is not a timestamp: use ISO 8601, e.g. 2024-10-14T23:55:18Z.");
        }

        EvaluationResult result;
        try
        {
            result = ReportEvaluator.Evaluate(Path.GetFullPath(data), Path.GetFullPath(report), now);
        }
        catch (MalformedCsvException ex)
        {
            Console.Error.WriteLine($"storemon: malformed file: {ex.Message}");
            return 1;
        }

        Console.WriteLine($"now {UnixMicros.Format(result.Now)}; truth {result.TruthStores:N0} stores, report {result.ReportStores:N0}, compared {result.Compared:N0}");
        Console.WriteLine($"missing from the report: {result.MissingFromReport:N0}; in the report but not in the truth: {result.MissingFromTruth:N0}");
        Console.WriteLine("hour columns in minutes, day and week in hours; bias = mean(report - truth)");
        Console.WriteLine($"{"column",-20} {"mean truth",10} {"MAE",9} {"bias",9} | {"polled",7} {"MAE",9} {"bias",9}");
        foreach (var c in result.Columns)
        {
            Console.WriteLine($"{c.Column,-20} {c.MeanTruth,10:F3} {c.MeanAbsoluteError,9:F3} {c.Bias,9:F3} | {c.PolledStores,7:N0} {c.PolledMeanAbsoluteError,9:F3} {c.PolledBias,9:F3}");
        }

        return 0;
    }
}
