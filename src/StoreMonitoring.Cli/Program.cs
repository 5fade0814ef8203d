using System.CommandLine;

namespace StoreMonitoring.Cli;

public static class Program
{
    public static RootCommand Commands() => new("storemon: import store data and compute uptime reports from the command line.")
    {
        ImportCommand.Create(),
        ReportCommand.Create(),
        GenerateCommand.Create(),
        EvaluateCommand.Create(),
        ExperimentCommand.Create(),
        MigrateCommand.Create(),
    };

    public static Task<int> Main(string[] args) => Commands().Parse(args).InvokeAsync();
}
