using System.CommandLine;
using System.Diagnostics;
using StoreMonitoring.Lab.Generation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Cli;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var stores = new Option<int>("--stores") { Description = "Stores in the status file (the hours and timezone files list a fifth more)", DefaultValueFactory = _ => 3678 };
        var days = new Option<int>("--days") { Description = "Days of polls", DefaultValueFactory = _ => 21 };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same arguments always write the same bytes", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Directory to write the files to", Required = true };
        var now = new Option<string?>("--now")
        {
            Description = "End of the polled period, ISO 8601 (default: a date picked by the seed, some with a DST change in the last week). "
                + "The truth is computed at the latest poll written, which is what `storemon report` uses as now by default.",
        };
        var errorRate = new Option<double>("--poll-error-rate")
        {
            Description = "Share of polls that report the opposite of the true state",
            DefaultValueFactory = _ => GeneratorOptions.DefaultPollErrorRate,
        };
        var profile = new Option<string>("--profile")
        {
            Description = "Kinds of store: standard (the original mix) or heterogeneous (flappy, sticky, weekly and memoryless stores, "
                + "per-store poll intervals from 50 minutes to 3 hours, collector outages that hit many stores at once)",
            DefaultValueFactory = _ => "standard",
        };
        var command = new Command(
            "generate",
            "Write synthetic store_status.csv, menu_hours.csv and timezones.csv, with truth.csv: the exact report a perfect estimator would give.")
        {
            stores, days, seed, output, now, errorRate, profile,
        };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(
            _ => Task.FromResult(Run(parse.GetValue(stores), parse.GetValue(days), parse.GetValue(seed), parse.GetValue(output)!, parse.GetValue(now), parse.GetValue(errorRate), parse.GetValue(profile)!)),
            cancellationToken));
        return command;
    }

    private static int Run(int stores, int days, ulong seed, string output, string? nowText, double errorRate, string profileText)
    {
        var profile = profileText.Trim().ToLowerInvariant() switch
        {
            "standard" => GeneratorProfile.Standard,
            "heterogeneous" => GeneratorProfile.Heterogeneous,
            _ => throw new ArgumentException($"--profile '{profileText}' is not a profile: use standard or heterogeneous."),
        };

        long? end = null;
        if (nowText is not null)
        {
            end = TimestampParser.TryParse(nowText, out var parsed)
                ? parsed
                : throw new ArgumentException($"--now '{nowText}' is not a timestamp: use ISO 8601, e.g. 2024-10-14T23:55:18Z.");
        }

        var options = new GeneratorOptions(stores, days, seed, end, errorRate, profile);
        var directory = Path.GetFullPath(output);
        var stopwatch = Stopwatch.StartNew();
        var summary = DataGenerator.Generate(options, directory);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"Wrote {directory} in {seconds:F1} s ({summary.StatusRows / Math.Max(seconds, 1e-3):N0} status rows/s)");
        Console.WriteLine($"  period      {UnixMicros.Format(summary.Start)} .. {UnixMicros.Format(summary.End)}");
        Console.WriteLine($"  now         {UnixMicros.Format(summary.Now)} (latest poll; truth's windows end here)");
        Console.WriteLine($"  status      {summary.StatusRows:N0} rows, {summary.StoresPolled:N0} stores");
        Console.WriteLine($"  hours       {summary.HoursRows:N0} rows; timezones {summary.TimezoneRows:N0} rows; {summary.StoresListed:N0} stores listed");
        Console.WriteLine($"  truth       {summary.TruthRows:N0} stores");
        Console.WriteLine($"  DST change in the last week: {(summary.DstZonesInLastWeek.Count == 0 ? "none" : string.Join(", ", summary.DstZonesInLastWeek))}");
        return 0;
    }
}
