using System.CommandLine;
using Microsoft.Data.Sqlite;
using StoreMonitoring.Lab.Evaluation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Cli;

internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Directory written by `storemon generate` (truth.csv and the three input files)", Required = true };
        var report = new Option<string?>("--report")
        {
            Description = "Report CSV to score: the seven columns; other columns are ignored. "
                + "Without it, the data is imported into a temporary SQLite database and reported exactly as `storemon import` and `storemon report` do",
        };
        var method = new Option<string?>("--method") { Description = "Without --report: interpolated (default), ratio or learned" };
        var now = new Option<string?>("--now") { Description = "End of the windows, ISO 8601 (default: the latest timestamp in store_status.csv)" };
        var command = new Command("evaluate", "Print a report's mean absolute error against a generated data set's truth, column by column.") { data, report, method, now };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(
            ct => RunAsync(parse.GetValue(data)!, parse.GetValue(report), parse.GetValue(method), parse.GetValue(now), ct), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string data, string? report, string? methodText, string? nowText, CancellationToken cancellationToken)
    {
        long? now = null;
        if (nowText is not null)
        {
            now = TimestampParser.TryParse(nowText, out var parsed)
                ? parsed
                : throw new ArgumentException($"--now '{nowText}' is not a timestamp: use ISO 8601, e.g. 2024-10-14T23:55:18Z.");
        }

        var directory = Path.GetFullPath(data);
        if (report is not null)
        {
            if (methodText is not null)
            {
                throw new ArgumentException("--method applies only without --report: the report given was computed already.");
            }

            return Print(directory, Path.GetFullPath(report), now);
        }

        // A database of its own, so the figures come from the production import and report and
        // nothing is left behind (in the repository, the current directory or the configured database).
        var temporary = Directory.CreateTempSubdirectory("storemon-evaluate-");
        try
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(temporary.FullName, "evaluate.db") }.ToString();
            KeyValuePair<string, string?>[] settings =
            [
                new("StoreMonitoring:Database:Provider", "sqlite"),
                new("StoreMonitoring:Database:MigrateOnStart", "true"),
                new("StoreMonitoring:Database:ConnectionString", connectionString),
                new("ConnectionStrings:StoreMonitoring", connectionString),
            ];
            var reportPath = Path.Combine(temporary.FullName, "report.csv");
            var exit = await ImportCommand.RunAsync(directory, cancellationToken, settings);
            if (exit == 0)
            {
                exit = await ReportCommand.RunAsync(methodText, nowText, reportPath, columns: null, cancellationToken, settings);
            }

            return exit == 0 ? Print(directory, reportPath, now) : exit;
        }
        finally
        {
            // Pooled connections keep the file open; close them before the folder goes.
            SqliteConnection.ClearAllPools();
            temporary.Delete(recursive: true);
        }
    }

    private static int Print(string directory, string reportPath, long? now)
    {
        EvaluationResult result;
        try
        {
            result = ReportEvaluator.Evaluate(directory, reportPath, now);
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

        foreach (var c in result.Coverage)
        {
            Console.WriteLine($"coverage {c.Window,-5} {c.Stores,7:N0} stores: the 90% interval holds the truth for {c.Share:P1} (mean width {c.MeanWidth:F3})");
        }

        if (result.ByKind.Count > 0)
        {
            Console.WriteLine("uptime MAE by kind of store (profiles.csv): hour in minutes, day and week in hours");
        }

        foreach (var k in result.ByKind)
        {
            Console.WriteLine($"kind {k.Group,-11} {(k.Kind.Length == 0 ? "-" : k.Kind),-18} {k.Stores,6} {k.HourMae,9:F3} {k.DayMae,9:F3} {k.WeekMae,9:F3}");
        }

        return 0;
    }
}
