using System.CommandLine;
using StoreMonitoring.Cli;

var root = new RootCommand("storemon: import store data and compute uptime reports from the command line.")
{
    ImportCommand.Create(),
    ReportCommand.Create(),
    MigrateCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
