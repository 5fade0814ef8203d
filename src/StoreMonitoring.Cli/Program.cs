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
        MigrateCommand.Create(),
        StoreCommand.Create(),
        IncidentsCommand.Create(),
        ApiKeyCommand.Create(),
        WebhooksCommand.Create(),
    };

    // Ctrl+C cancels the verb; the wait lets an import roll back and release its database lock
    // instead of being killed two seconds later with the lock still leased.
    public static Task<int> Main(string[] args)
    {
        ProgressLine.RawError = TerminalSafeWriter.Install();
        return Commands().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
    }
}
