using System.Text.Json.Serialization;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Reports;

internal sealed record TriggerResponse(string ReportId, string Method);

/// <summary>
/// A report that is not finished yet (<c>Running</c> with its progress, as the original service
/// answered) or that failed (<c>Error</c> with a message). Fields that do not apply are omitted.
/// </summary>
internal sealed record ReportState(
    string Status, double? Progress = null, string? State = null, int? StoresDone = null, int? StoresTotal = null, int? ShardsDone = null, int? ShardsTotal = null,
    string? Message = null, string? Error = null)
{
    public static ReportState From(ReportJob job) => job.Status == ReportStatus.Error
        ? new(ReportStatus.Error.Name(), Message: "Report generation failed", Error: job.Error)
        : new(ReportStatus.Running.Name(), Math.Round(job.Progress, 4), job.Status.Name().ToLowerInvariant(), job.StoresDone, job.StoresTotal, job.ShardsDone, job.ShardsTotal);
}

/// <summary>Each window's unit, by window name (<c>"last_hour": "minutes"</c>, ...).</summary>
internal sealed record Units
{
    [JsonExtensionData]
    public Dictionary<string, object> ByWindow { get; init; } = [];

    public static Units Of(IReadOnlyList<ReportWindow> windows) => new() { ByWindow = windows.ToDictionary(w => w.Name, object (w) => w.UnitName) };
}

internal sealed record JsonReport(string ReportId, string Status, string Method, string? Now, Units Units, IAsyncEnumerable<JsonStoreRow> Stores);

internal sealed record JsonStoreRow(string StoreId)
{
    /// <summary>Each window's figures, as a property named after the window.</summary>
    [JsonExtensionData]
    public Dictionary<string, object> Windows { get; init; } = [];

    public static JsonStoreRow From(StoreReportRow row) => new(row.StoreId) { Windows = JsonWindow.ByName(ReportCsv.Figures(row.Uptime)) };

    public JsonWindow this[ReportWindow window] => (JsonWindow)Windows[window.Name];
}

/// <summary>
/// uptime + downtime + unknown = business; estimated_uptime and estimated_downtime are the CSV's
/// figures, with the unknown time shared out by the store's observed up share. uptime_low and
/// uptime_high (learned method only, omitted otherwise) bound the uptime with 90 % posterior probability.
/// </summary>
internal sealed record JsonWindow(
    double Uptime, double Downtime, double Unknown, double Business, double EstimatedUptime, double EstimatedDowntime, int Polls,
    double? UptimeLow = null, double? UptimeHigh = null)
{
    public static JsonWindow From(WindowFigures f) => new(
        WindowFigures.ToNumber(f.Uptime), WindowFigures.ToNumber(f.Downtime), WindowFigures.ToNumber(f.Unknown), WindowFigures.ToNumber(f.Business),
        WindowFigures.ToNumber(f.EstimatedUptime), WindowFigures.ToNumber(f.EstimatedDowntime), f.Polls,
        f.UptimeLow is { } low ? WindowFigures.ToNumber(low) : null, f.UptimeHigh is { } high ? WindowFigures.ToNumber(high) : null);

    /// <summary>The windows as JSON properties named after them, in the windows' order.</summary>
    public static Dictionary<string, object> ByName(StoreFigures figures)
    {
        var windows = new Dictionary<string, object>(figures.Count);
        for (var i = 0; i < figures.Count; i++)
        {
            windows.Add(figures.Windows[i].Name, From(figures[i]));
        }

        return windows;
    }
}

internal sealed record JobSummary(string ReportId, string Status, string Method, double Progress, string RequestedAt, string? Now, string? FinishedAt, int Stores, string? Error)
{
    public static JobSummary From(ReportJob job) => new(
        job.ReportId, job.Status.Name(), job.MethodName, Math.Round(job.Progress, 4), UnixMicros.Format(job.RequestedAtUs),
        job.NowUs is { } n ? UnixMicros.Format(n) : null, job.FinishedAtUs is { } f ? UnixMicros.Format(f) : null, job.StoresTotal, job.Error);
}
