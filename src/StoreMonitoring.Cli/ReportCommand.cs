using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Reports.Rollups;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Cli;

internal static class ReportCommand
{
    public static Command Create()
    {
        var method = new Option<string?>("--method") { Description = "interpolated (default), ratio or learned" };
        var now = new Option<string?>("--now") { Description = "End of the windows, ISO 8601 (default: the latest observation)" };
        var output = new Option<string?>("--out") { Description = "Write the CSV to this file instead of standard output" };
        var columns = new Option<string?>("--columns") { Description = "default (the seven columns) or extended (plus unknown, business time and polls)" };
        var period = new Option<string?>("--period")
        {
            Description = "A period of whole local dates, summed from the daily rollups: day:YYYY-MM-DD, week:YYYY-Www, month:YYYY-MM, quarter:YYYY-Qn, range:A..B, last_7_days, last_30_days (docs/periods.md)",
        };
        var command = new Command("report", "Compute the uptime report from the database and write it as CSV.") { method, now, output, columns, period };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(
            ct => RunAsync(parse.GetValue(method), parse.GetValue(now), parse.GetValue(output), parse.GetValue(columns), ct, periodText: parse.GetValue(period)), cancellationToken));
        return command;
    }

    /// <param name="settings">Configuration overrides, see <see cref="CliHost.Build"/>.</param>
    internal static async Task<int> RunAsync(
        string? methodText, string? nowText, string? output, string? columns, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string?>>? settings = null,
        string? periodText = null)
    {
        Period? period = null;
        if (periodText is not null)
        {
            if (!Period.TryParse(periodText, out var parsed, out var problem))
            {
                throw new ArgumentException($"--period: {problem}");
            }

            if (methodText is not null)
            {
                throw new ArgumentException("--method applies only without --period: a period report sums the daily rollups (interpolated, with the ratio method's poll counts).");
            }

            period = parsed;
        }

        var extended = columns?.ToLowerInvariant() switch
        {
            null or "default" => false,
            "extended" => true,
            _ => throw new ArgumentException($"--columns '{columns}' is not valid: use default or extended."),
        };

        using var host = CliHost.Build(settings: settings);
        var options = host.Services.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value;
        var method = options.Reports.DefaultMethod;
        if (methodText is not null && !EstimationMethods.TryParse(methodText, out method))
        {
            throw new ArgumentException($"--method '{methodText}' is not a method: use interpolated, ratio or learned.");
        }

        var error = host.Services.GetRequiredService<AcceptedInstants>().TryParseOptional(nowText, "--now", out var requestedNow);
        if (error is not null)
        {
            throw new ArgumentException(error);
        }

        await CliHost.PrepareDatabaseAsync(host.Services, cancellationToken);
        var calculator = host.Services.GetRequiredService<ReportCalculator>();
        var now = requestedNow ?? await calculator.LatestObservationAsync(cancellationToken)
            ?? throw new InvalidOperationException("no polls imported yet: import first (storemon import DIR).");

        if (period is not null)
        {
            return await WritePeriodAsync(host.Services, period, now, output, extended, cancellationToken);
        }

        var line = new ProgressLine(TimeProvider.System);
        var total = await calculator.CountStoresAsync(now, cancellationToken);
        var rows = new List<StoreReportRow>(total);
        await foreach (var batch in calculator.ComputeAsync(method, now, cancellationToken))
        {
            rows.AddRange(batch);
            line.Show($"report: {rows.Count:N0}/{total:N0} stores");
        }

        line.Show($"report: {rows.Count:N0}/{total:N0} stores, method {method.Name()}, now {UnixMicros.Format(now)}", force: true);
        line.Done();

        rows.Sort(static (a, b) => StoreIdOrder.Compare(a.StoreId, b.StoreId));
        if (output is null)
        {
            await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
            ReportCsv.Write(stdout, rows, extended, intervals: method == EstimationMethod.Learned);
        }
        else
        {
            var target = Path.GetFullPath(output);
            await ReportCsv.WriteFileAsync(target, rows.ToAsyncEnumerable(), extended, cancellationToken, intervals: method == EstimationMethod.Learned);
            await Console.Error.WriteLineAsync($"Wrote {rows.Count:N0} stores to {target}");
        }

        return 0;
    }

    private static async Task<int> WritePeriodAsync(IServiceProvider services, Period period, long now, string? output, bool extended, CancellationToken cancellationToken)
    {
        var database = services.GetRequiredService<StoreDatabase>();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = PeriodReport.Compute(connection, database.Dialect, period, now);
        var target = output is null ? null : Path.GetFullPath(output);
        await using (var writer = target is null
            ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16)
            : new StreamWriter(target, false, new UTF8Encoding(false), 1 << 16))
        {
            PeriodCsv.WriteHeader(writer, extended);
            foreach (var row in rows)
            {
                PeriodCsv.WriteRow(writer, row, extended);
            }
        }

        await Console.Error.WriteLineAsync($"report: {rows.Count:N0} stores, period {period.Text}, now {UnixMicros.Format(now)}{(target is null ? "" : $", written to {target}")}");
        return 0;
    }
}
