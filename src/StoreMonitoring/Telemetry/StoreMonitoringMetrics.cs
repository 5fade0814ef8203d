using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dapper;
using StoreMonitoring.Import;
using StoreMonitoring.Reports;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Telemetry;

/// <summary>
/// The service's own instruments, on the <c>StoreMonitoring</c> meter. Names and units follow the
/// OpenTelemetry semantic conventions (dotted lower-case names, UCUM units, <c>{thing}</c> for counts),
/// so the Prometheus exporter renders them as e.g. <c>storemon_polls_imported_total</c>.
/// </summary>
public sealed class StoreMonitoringMetrics
{
    private readonly Counter<long> _pollsImported;
    private readonly Counter<long> _pollsRejected;
    private readonly Histogram<double> _importDuration;
    private readonly Histogram<double> _reportDuration;
    private readonly Counter<long> _reportsFinished;

    /// <summary>
    /// Buckets for imports and reports, 10 ms to 10 min: the default ones (0, 5, 10, ... 10,000)
    /// suit milliseconds and put every sub-second report into the first bucket.
    /// </summary>
    internal static readonly InstrumentAdvice<double> DurationBuckets = new()
    {
        HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    };

    public StoreMonitoringMetrics(IMeterFactory meterFactory, StoreDatabase database)
    {
        var meter = meterFactory.Create(Meters.Name);
        _pollsImported = meter.CreateCounter<long>("storemon.polls.imported", "{poll}", "Status observations (polls) stored by imports.");
        _pollsRejected = meter.CreateCounter<long>("storemon.polls.rejected", "{row}", "What an import skipped, by file kind and reason: invalid_row counts rows, file_error counts whole files refused.");
        _importDuration = meter.CreateHistogram<double>("storemon.import.duration", "s", "How long an import run took.", advice: DurationBuckets);
        _reportDuration = meter.CreateHistogram<double>("storemon.report.duration", "s", "How long computing a report took, by method and final state.", advice: DurationBuckets);
        _reportsFinished = meter.CreateCounter<long>("storemon.reports.finished", "{report}", "Reports that reached a final state (complete or error).");
        meter.CreateObservableGauge("storemon.reports.queued", () => QueuedReports(database), "{report}", "Reports waiting for a worker (Pending).");
    }

    /// <summary>Records one import run: polls stored, rows and files rejected, duration.</summary>
    public void ImportFinished(ImportSummary summary)
    {
        foreach (var file in summary.Files)
        {
            var kind = new KeyValuePair<string, object?>("storemon.input.kind", Snake(file.Kind));
            if (file.Kind == InputKind.StoreStatus)
            {
                _pollsImported.Add(file.Imported);
            }

            if (file.Rejected > 0)
            {
                _pollsRejected.Add(file.Rejected, kind, new("reason", "invalid_row"));
            }

            if (!file.Succeeded)
            {
                _pollsRejected.Add(1, kind, new("reason", "file_error"));
            }
        }

        _importDuration.Record((summary.FinishedAt - summary.StartedAt).TotalSeconds);
    }

    /// <summary>Records a report that ended in <paramref name="state"/> (a <see cref="ReportStatus"/>).</summary>
    public void ReportFinished(string method, string state, TimeSpan elapsed)
    {
        var tags = new TagList { { "storemon.report.method", method }, { "storemon.report.state", state.ToLowerInvariant() } };
        _reportDuration.Record(elapsed.TotalSeconds, tags);
        _reportsFinished.Add(1, tags);
    }

    // Read on each scrape: the database is the queue, shared by every instance, so no in-process
    // count could be right. One indexed COUNT per scrape is cheap; an unreachable database yields
    // no measurement rather than a wrong one.
    private static IEnumerable<Measurement<long>> QueuedReports(StoreDatabase database)
    {
        try
        {
            using var connection = database.Open();
            return [new Measurement<long>(connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM report_jobs WHERE status = {ReportStatus.Pending.Sql()}"))];
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            return [];
        }
    }

    private static string Snake(InputKind kind) => kind switch
    {
        InputKind.StoreStatus => "store_status",
        InputKind.BusinessHours => "business_hours",
        _ => "timezones",
    };
}
