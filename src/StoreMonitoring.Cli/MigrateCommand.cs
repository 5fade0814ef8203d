using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Cli;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Create or upgrade the database schema (the configured provider's migration scripts).");
        command.SetAction((_, cancellationToken) => CliHost.RunAsync(RunAsync, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var host = CliHost.Build();
        var database = host.Services.GetRequiredService<StoreDatabase>();
        var applied = await host.Services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
        Console.WriteLine(applied == 0 ? $"The {database.Dialect.Name} schema is up to date." : $"Applied {applied} migration(s) on {database.Dialect.Name}.");
        return 0;
    }
}
