using Dapper;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Reports;

/// <summary>
/// The front door of the report queue: bounds how many reports wait, and answers a trigger that
/// repeats a waiting or running report with that report instead of computing it twice, whichever
/// instance (or cluster node) either trigger came through. A report it queues wakes this process's
/// worker (<see cref="WakeSignal{TWork}"/>), as a queued webhook delivery does.
/// </summary>
public sealed class ReportQueue(StoreDatabase database, ReportJobs jobs, ConflictRetry retry, WakeSignal<ReportJobs> signal, IOptions<StoreMonitoringOptions> options)
{
    /// <summary>Queues a report, or returns the identical one already pending or running.</summary>
    /// <exception cref="ReportQueueFullException">More than <c>Reports:MaxQueued</c> reports are pending.</exception>
    public async Task<ReportJob> EnqueueAsync(EstimationMethod method, long? requestedNow, CancellationToken cancellationToken = default)
    {
        var key = ReportJobs.ActiveKey(method, requestedNow);
        // An identical report queued through another request, instance or node a moment ago takes
        // the unique active key first: the next attempt answers with that one.
        return await retry.RunAsync(
            RetryPolicy.ReportTrigger,
            async _ =>
            {
                await using (var connection = await database.OpenAsync(cancellationToken))
                {
                    var same = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
                        "SELECT report_id FROM report_jobs WHERE active_key = @key", new { key }, cancellationToken: cancellationToken));
                    if (same is not null && await jobs.GetAsync(same, cancellationToken) is { Status: ReportStatus.Pending or ReportStatus.Running } existing)
                    {
                        return existing;
                    }

                    var pending = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                        $"SELECT COUNT(*) FROM report_jobs WHERE status = {ReportStatus.Pending.Sql()}", cancellationToken: cancellationToken));
                    var limit = options.Value.Reports.MaxQueued;
                    if (pending >= limit)
                    {
                        throw new ReportQueueFullException(limit);
                    }
                }

                var created = await jobs.CreateAsync(method, requestedNow, cancellationToken);
                signal.Notify();
                return created;
            },
            cancellationToken: cancellationToken);
    }
}

/// <summary>The queue holds <c>Reports:MaxQueued</c> pending reports already.</summary>
public sealed class ReportQueueFullException(int limit)
    : InvalidOperationException($"{limit} reports are already waiting; try again when some have finished.");
