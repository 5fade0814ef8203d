using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Cli;

/// <summary><c>storemon store ID</c>: the store page as a readable table.</summary>
internal static class StoreCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The store's id" };
        var now = new Option<string?>("--now") { Description = "End of the windows, ISO 8601 (default: the latest poll over all stores)" };
        var method = new Option<string?>("--method") { Description = "interpolated (default), ratio or learned" };
        var command = new Command("store", "Show one store: zone, hours, state, last poll and its figures for the last hour, day and week.") { id, now, method };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(ct => RunAsync(parse.GetValue(id)!, parse.GetValue(now), parse.GetValue(method), ct), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string storeId, string? nowText, string? methodText, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build();
        var options = host.Services.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value;
        var method = options.Reports.DefaultMethod;
        if (methodText is not null && !EstimationMethods.TryParse(methodText, out method))
        {
            throw new ArgumentException($"--method '{methodText}' is not a method: use interpolated, ratio or learned.");
        }

        if (host.Services.GetRequiredService<AcceptedInstants>().TryParseOptional(nowText, "--now", out var now) is { } error)
        {
            throw new ArgumentException(error);
        }

        await CliHost.PrepareDatabaseAsync(host.Services, cancellationToken);
        if (await host.Services.GetRequiredService<StoreQueries>().ViewAsync(storeId, now, method, cancellationToken) is not { } view)
        {
            await Console.Error.WriteLineAsync($"storemon: no store with id '{storeId}'");
            return 1;
        }

        var store = view.Store;
        Console.WriteLine($"store      {store.StoreId}");
        Console.WriteLine($"time zone  {store.Zone.Id}");
        Console.WriteLine($"now        {UnixMicros.Format(view.Now)} ({Local(view.Now, store.Zone)} local), {(view.OpenNow ? "open" : "closed")}");
        Console.WriteLine($"state      {view.State.ToString().ToLowerInvariant()}");
        Console.WriteLine($"last poll  {(view.LastPoll is { } last ? $"{(last.Active ? "active" : "inactive")} at {UnixMicros.Format(last.At)}" : "none")}");
        Console.WriteLine($"hours      {(store.Schedule.IsAlwaysOpen ? "open 24x7" : string.Join(", ", store.Schedule.Windows.OrderBy(w => w.DayOfWeek).Select(w => $"{Day(w.DayOfWeek)} {LocalTimeText.Format(w.Start)}-{LocalTimeText.Format(w.End)}")))}");
        Console.WriteLine();
        Console.WriteLine($"{"window (" + method.Name() + ")",-24} {"up",9} {"down",9} {"unknown",9} {"business",9} {"est. up",9} {"est. down",9} {"polls",6}");
        var (hour, day, week) = ReportCsv.Figures(view.Uptime);
        foreach (var (name, f) in new[] { ("last hour (minutes)", hour), ("last day (hours)", day), ("last week (hours)", week) })
        {
            Console.WriteLine($"{name,-24} {WindowFigures.Format(f.Uptime),9} {WindowFigures.Format(f.Downtime),9} {WindowFigures.Format(f.Unknown),9} {WindowFigures.Format(f.Business),9} {WindowFigures.Format(f.EstimatedUptime),9} {WindowFigures.Format(f.EstimatedDowntime),9} {f.Polls,6}");
        }

        return 0;
    }

    internal static string Local(long micros, DateTimeZone zone) =>
        UnixMicros.ToInstant(micros).InZone(zone).ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Day(int day) => ((IsoDayOfWeek)(day + 1)).ToString()[..3];
}
