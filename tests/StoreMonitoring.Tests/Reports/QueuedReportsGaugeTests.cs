using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Storage;
using StoreMonitoring.Telemetry;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Reports;

/// <summary><c>storemon.reports.queued</c> counts the pending reports, and only those (its status goes through the mapping, not an enum's number).</summary>
public sealed class QueuedReportsGaugeTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_queued_gauge_counts_pending_reports_alone(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        _ = host.Services.GetRequiredService<StoreMonitoringMetrics>();
        await using (var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync())
        {
            foreach (var (id, status) in new[] { ("a", "Pending"), ("b", "Pending"), ("c", "Running"), ("d", "Complete"), ("e", "Error") })
            {
                await connection.ExecuteAsync(
                    "INSERT INTO report_jobs (report_id, status, method, requested_at_us) VALUES (@id, @status, 'interpolated', 0)", new { id, status });
            }
        }

        var seen = new List<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "storemon.reports.queued" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => seen.Add(value));
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal([2L], seen);
    }
}
