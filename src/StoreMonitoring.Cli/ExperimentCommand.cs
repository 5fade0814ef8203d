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
        var estimator = new Option<string>("--estimator") { Description = string.Join(", ", OfflineReport.Estimators), Required = true };
        var output = new Option<string>("--out") { Description = "Report CSV to write", Required = true };
        var horizon = new Option<int>("--horizon") { Description = "Horizon in minutes", DefaultValueFactory = _ => new EstimatorSettings().HorizonMinutes };
        var switchPoint = new Option<double>("--switch") { Description = "Switch point, 0.5 to 1", DefaultValueFactory = _ => new EstimatorSettings().SwitchPoint };
        var command = new Command("experiment", "Experimental: compute a report from generated files with a candidate estimator.")
        {
            data, estimator, output, horizon, switchPoint,
        };
        command.Hidden = true;
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(
            _ =>
            {
                var settings = new EstimatorSettings { HorizonMinutes = parse.GetValue(horizon), SwitchPoint = parse.GetValue(switchPoint) };
                OfflineReport.Write(Path.GetFullPath(parse.GetValue(data)!), Path.GetFullPath(parse.GetValue(output)!), parse.GetValue(estimator)!, settings);
                return Task.FromResult(0);
            },
            cancellationToken));
        return command;
    }
}
