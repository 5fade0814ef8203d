using System.CommandLine;
using StoreMonitoring.Cli;

var root = new RootCommand("storemon: import store data and compute uptime reports from the command line.")
{
    ImportCommand.Create(),
    ReportCommand.Create(),
    GenerateCommand.Create(),
    EvaluateCommand.Create(),
    ExperimentCommand.Create(),
    MigrateCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
