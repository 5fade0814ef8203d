using System.CommandLine;
using StoreMonitoring.Evaluation.Experimental;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring.Cli;

/// <summary>Hidden: a report computed from a generated directory without a database, to try candidate estimators.</summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Directory written by `storemon generate`", Required = true };
        var estimator = new Option<string>("--estimator") { Description = string.Join(", ", OfflineReport.Estimators), DefaultValueFactory = _ => "interpolated" };
        var output = new Option<string>("--out") { Description = "Report CSV to write (required without --grid)" };
        var horizon = new Option<int>("--horizon") { Description = "Horizon in minutes", DefaultValueFactory = _ => new EstimatorSettings().HorizonMinutes };
        var grid = new Option<string>("--grid") { Description = "Instead of a report: score candidates separated by ';' (ratio, or Setting=value,...) and print their MAE" };
        var command = new Command("experiment", "Experimental: compute a report from generated files with a candidate estimator.")
        {
            data, estimator, output, horizon, grid,
        };
        command.Hidden = true;
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(
            _ =>
            {
                if (parse.GetValue(grid) is { } candidates)
                {
                    OfflineReport.Grid(Path.GetFullPath(parse.GetValue(data)!), candidates.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), Console.Out);
                    return Task.FromResult(0);
                }

                var settings = new EstimatorSettings { HorizonMinutes = parse.GetValue(horizon) };
                var outputPath = parse.GetValue(output) ?? throw new ArgumentException("--out is required without --grid");
                OfflineReport.Write(Path.GetFullPath(parse.GetValue(data)!), Path.GetFullPath(outputPath), parse.GetValue(estimator)!, settings);
                return Task.FromResult(0);
            },
            cancellationToken));
        return command;
    }
}
