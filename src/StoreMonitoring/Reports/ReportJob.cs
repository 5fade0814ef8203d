using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Reports;

/// <summary>Where a report is in its life: queued, computing, or done one way or the other.</summary>
public enum ReportStatus
{
    Pending,
    Running,
    Complete,
    Error,
}

/// <summary>
/// How report jobs and report shards store their status, and how the API and the dashboard show
/// it (<c>wwwroot/ui/statuses.js</c> repeats it for the browser; a test holds the two together).
/// </summary>
public static class ReportStatuses
{
    public static readonly StoredStatuses<ReportStatus> Stored = new(
        (ReportStatus.Pending, "Pending"),
        (ReportStatus.Running, "Running"),
        (ReportStatus.Complete, "Complete"),
        (ReportStatus.Error, "Error"));

    public static string Name(this ReportStatus status) => Stored.Name(status);

    public static string Sql(this ReportStatus status) => Stored.Sql(status);
}

/// <summary>A row of <c>report_jobs</c>.</summary>
public sealed class ReportJob
{
    public required string ReportId { get; init; }

    public required ReportStatus Status { get; init; }

    /// <summary>The status as stored: reads map it through <see cref="ReportStatuses"/>.</summary>
    internal string StoredStatus
    {
        get => Status.Name();
        init => Status = ReportStatuses.Stored.Parse(value);
    }

    /// <summary>The method as stored; a name this version does not know fails the job when it runs.</summary>
    public required string MethodName { get; init; }

    public EstimationMethod Method => MethodOf(ReportId, MethodName);

    internal static EstimationMethod MethodOf(string reportId, string methodName) => EstimationMethods.TryParse(methodName, out var method)
        ? method
        : throw new InvalidOperationException($"Report {reportId} names an unknown method.");

    public long? RequestedNowUs { get; init; }

    public long? NowUs { get; init; }

    public long RequestedAtUs { get; init; }

    public long? StartedAtUs { get; init; }

    public long? FinishedAtUs { get; init; }

    public int StoresTotal { get; init; }

    public int StoresDone { get; init; }

    /// <summary>How many times the report was claimed for planning (more than once when a planner died).</summary>
    public int Attempts { get; init; }

    /// <summary>The ranges of stores the report was split into; any instance's worker computes each.</summary>
    public int ShardsTotal { get; init; }

    public int ShardsDone { get; init; }

    public string? Worker { get; init; }

    public long? LeaseUntilUs { get; init; }

    public string? Error { get; init; }

    public double Progress => Status == ReportStatus.Complete ? 1 : StoresTotal == 0 ? 0 : Math.Min(1, (double)StoresDone / StoresTotal);
}

/// <summary>Another worker took the job over: this one must stop writing to it.</summary>
public sealed class ReportLeaseLostException() : InvalidOperationException("This worker no longer owns the report job (its lease expired and another worker took it over).");
