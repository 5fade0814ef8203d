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
        var parse = Commands().Parse(args);
        if (parse.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
        {
            // One line saying what was wrong, not the parser's list of errors and the whole help.
            Console.Error.WriteLine($"storemon: {UsageErrors.Describe(parse)}");
            return Task.FromResult(CliHost.UsageExitCode);
        }

        return parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
    }
}
