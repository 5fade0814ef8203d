using Dapper;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Reports;

/// <summary>
/// The front door of the report queue: bounds how many reports wait, and answers a trigger that
/// repeats a waiting or running report with that report instead of computing it twice.
/// </summary>
public sealed class ReportQueue(StoreDatabase database, ReportJobs jobs, IOptions<StoreMonitoringOptions> options) : IDisposable
{
    // Serialises check-then-insert within this process, so a burst of identical triggers yields one
    // report. Across instances two identical reports may still both be queued: harmless, only slower.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Queues a report, or returns the identical one already pending or running (<c>Queued</c> false).</summary>
    /// <exception cref="ReportQueueFullException">More than <c>Reports:MaxQueued</c> reports are pending.</exception>
    public async Task<(ReportJob Job, bool Queued)> EnqueueAsync(EstimationMethod method, long? requestedNow, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                var same = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
                    """
                    SELECT report_id FROM report_jobs
                    WHERE status IN ('Pending', 'Running') AND method = @method
                      AND (requested_now_us = @requestedNow OR (requested_now_us IS NULL AND @requestedNow IS NULL))
                    ORDER BY requested_at_us LIMIT 1
                    """,
                    new { method = method.Name(), requestedNow },
                    cancellationToken: cancellationToken));
                if (same is not null && await jobs.GetAsync(same, cancellationToken) is { } existing)
                {
                    return (existing, false);
                }

                var pending = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM report_jobs WHERE status = 'Pending'", cancellationToken: cancellationToken));
                var limit = options.Value.Reports.MaxQueued;
                if (pending >= limit)
                {
                    throw new ReportQueueFullException(limit);
                }
            }

            return (await jobs.CreateAsync(method, requestedNow, cancellationToken), true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>The queue holds <c>Reports:MaxQueued</c> pending reports already.</summary>
public sealed class ReportQueueFullException(int limit)
    : InvalidOperationException($"{limit} reports are already waiting; try again when some have finished.")
{
    public int Limit { get; } = limit;
}
