using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports;
using StoreMonitoring.Time;

namespace StoreMonitoring.Cli;

/// <summary><c>storemon incidents [--open] [--store ID]</c>: outages inside business hours, newest first.</summary>
internal static class IncidentsCommand
{
    public static Command Create()
    {
        var open = new Option<bool>("--open") { Description = "Only incidents still open" };
        var store = new Option<string?>("--store") { Description = "Only this store's incidents" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1 to 10,000)", DefaultValueFactory = _ => 50 };
        var command = new Command("incidents", "List incidents (stretches of estimated downtime in business hours), newest first.") { open, store, limit };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(ct => RunAsync(parse.GetValue(open), parse.GetValue(store), parse.GetValue(limit), ct), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(bool open, string? storeId, int limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 10_000)
        {
            throw new ArgumentException("--limit must be 1 to 10,000.");
        }

        using var host = CliHost.Build();
        await CliHost.PrepareDatabaseAsync(host.Services, cancellationToken);
        int? key = null;
        if (storeId is not null)
        {
            if (await host.Services.GetRequiredService<StoreQueries>().FindAsync(storeId, cancellationToken) is not { } store)
            {
                await Console.Error.WriteLineAsync($"storemon: no store with id '{storeId}'");
                return 1;
            }

            key = store.Key;
        }

        var rows = await host.Services.GetRequiredService<IncidentQueries>().ListAsync(new IncidentFilter(key, open ? true : null, null, null, null, limit, null), cancellationToken);
        Console.WriteLine($"{"store",-38} {"start (UTC)",-27} {"end (UTC)",-27} {"local start",-16} {"minutes",8} {"polls",5}");
        foreach (var row in rows)
        {
            var i = row.Incident;
            Console.WriteLine(
                $"{row.StoreId,-38} {UnixMicros.Format(i.StartUs),-27} {(i.EndUs is { } end ? UnixMicros.Format(end) : "open"),-27} {StoreCommand.Local(i.StartUs, DateTimeZoneProviders.Tzdb[row.TimeZone]),-16} {IncidentQueries.Minutes(i.DownUs),8:F2} {i.Polls,5}");
        }

        Console.WriteLine($"{rows.Count} incident(s)");
        return 0;
    }
}
