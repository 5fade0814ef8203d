using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StoreMonitoring.Api.Operations;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Reports;

internal static class ReportEndpoints
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Reports");

        group.MapPost("/trigger_report", TriggerReport)
            .RequireAuthorization(Security.Scopes.Write).WithBodyLimit(BodyLimit.Tiny)
            .WithName("TriggerReport")
            .WithSummary("Queues a report and returns its id at once.")
            .WithDescription("Optional query parameters: method (interpolated, the default, or ratio) and now (ISO 8601; default: the latest observation). The same method and now while such a report is pending or running returns that report's id; 429 when Reports:MaxQueued reports are waiting.");

        group.MapGet("/get_report", GetReport)
            .WithName("GetReport")
            .WithSummary("Polls a report: Running with progress, Error, or the finished CSV (or JSON with format=json).");

        group.MapGet("/reports", async (ReportJobs jobs, CancellationToken cancellationToken, int limit = 20) =>
                TypedResults.Ok((await jobs.ListAsync(Math.Clamp(limit, 1, 500), cancellationToken)).Select(JobSummary.From)))
            .WithName("ListReports")
            .WithSummary("The most recent report jobs with their state.");

        return app;
    }

    private static async Task<Results<Ok<TriggerResponse>, ProblemHttpResult>> TriggerReport(
        ReportQueue queue, ReportSignal signal, IOptions<StoreMonitoringOptions> options, HttpContext context, string? method, string? now, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EstimationMethods.TryParse(method ?? options.Value.Reports.DefaultMethod, out var estimationMethod))
        {
            errors["method"] = [$"'{method}' is not a method: use 'interpolated' or 'ratio'."];
        }

        long? requestedNow = null;
        if (now is not null)
        {
            if (TimestampParser.TryParse(now, out var parsed))
            {
                requestedNow = parsed;
            }
            else
            {
                errors["now"] = [$"'{now}' is not a timestamp: use ISO 8601, e.g. 2024-10-14T23:55:18Z."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.Problem(
                string.Join(" ", errors.Values.SelectMany(v => v)),
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid report request",
                extensions: new Dictionary<string, object?> { ["errors"] = errors });
        }

        ReportJob job;
        try
        {
            (job, _) = await queue.EnqueueAsync(estimationMethod, requestedNow, cancellationToken);
        }
        catch (ReportQueueFullException ex)
        {
            context.Response.Headers.RetryAfter = "10";
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Report queue full");
        }

        signal.Notify();
        return TypedResults.Ok(new TriggerResponse(job.ReportId, job.Method));
    }

    private static async Task<IResult> GetReport(
        ReportJobs jobs, string? report_id, string? format, string? columns, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(report_id))
        {
            return TypedResults.Problem("The query parameter report_id is required.", statusCode: StatusCodes.Status400BadRequest, title: "Missing report_id");
        }

        if (!Guid.TryParse(report_id, out var id))
        {
            return TypedResults.Problem($"'{report_id}' is not a report id (a UUID).", statusCode: StatusCodes.Status400BadRequest, title: "Malformed report_id");
        }

        var asJson = format?.ToLowerInvariant() switch
        {
            null or "" or "csv" => false,
            "json" => true,
            _ => (bool?)null,
        };
        var extended = columns?.ToLowerInvariant() switch
        {
            null or "" or "default" => false,
            "extended" => true,
            _ => (bool?)null,
        };
        if (asJson is null || extended is null)
        {
            return TypedResults.Problem("format is csv or json; columns is default or extended.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid parameter");
        }

        var job = await jobs.GetAsync(id.ToString(), cancellationToken);
        if (job is null)
        {
            return TypedResults.Problem($"No report with id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown report");
        }

        switch (job.Status)
        {
            case ReportStatus.Pending or ReportStatus.Running:
                return TypedResults.Ok(new RunningResponse("Running", Math.Round(job.Progress, 4), job.Status.ToLowerInvariant(), job.StoresDone, job.StoresTotal));
            case ReportStatus.Error:
                return TypedResults.Ok(new ErrorResponse("Error", "Report generation failed", job.Error));
        }

        if (asJson.Value)
        {
            return TypedResults.Ok(new JsonReport(
                job.ReportId,
                "Complete",
                job.Method,
                job.NowUs is { } n ? UnixMicros.Format(n) : null,
                new Units("minutes", "hours", "hours"),
                ReadJsonRows(jobs, job.ReportId, cancellationToken)));
        }

        return TypedResults.Stream(
            async stream =>
            {
                // ReportCsv writes synchronously, and Kestrel refuses synchronous writes to the
                // response: once a writer's buffer filled (a report over 64 KB, about 900 stores)
                // the download broke off after the headers. Rows are formatted into an in-memory
                // chunk, which goes to the response asynchronously.
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
                using var chunk = new StringWriter(CultureInfo.InvariantCulture);
                var text = chunk.GetStringBuilder();
                ReportCsv.WriteHeader(chunk, extended.Value);
                await foreach (var row in jobs.ReadRowsAsync(job.ReportId, cancellationToken))
                {
                    ReportCsv.WriteRow(chunk, row, extended.Value);
                    if (text.Length >= 1 << 15)
                    {
                        await writer.WriteAsync(text, cancellationToken);
                        text.Clear();
                    }
                }

                await writer.WriteAsync(text, cancellationToken);
            },
            "text/csv; charset=utf-8",
            $"report_{job.ReportId}.csv");
    }

    private static async IAsyncEnumerable<JsonStoreRow> ReadJsonRows(ReportJobs jobs, string reportId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in jobs.ReadRowsAsync(reportId, cancellationToken))
        {
            var (hour, day, week) = ReportCsv.Figures(row.Uptime);
            yield return new JsonStoreRow(row.StoreId, JsonWindow.From(hour), JsonWindow.From(day), JsonWindow.From(week));
        }
    }

    internal sealed record TriggerResponse(string ReportId, string Method);

    internal sealed record RunningResponse(string Status, double Progress, string State, int StoresDone, int StoresTotal);

    internal sealed record ErrorResponse(string Status, string Message, string? Error);

    internal sealed record Units(string LastHour, string LastDay, string LastWeek);

    internal sealed record JsonReport(string ReportId, string Status, string Method, string? Now, Units Units, IAsyncEnumerable<JsonStoreRow> Stores);

    internal sealed record JsonStoreRow(string StoreId, JsonWindow LastHour, JsonWindow LastDay, JsonWindow LastWeek);

    /// <summary>
    /// uptime + downtime + unknown = business; estimated_uptime and estimated_downtime are the CSV's
    /// figures, with the unknown time shared out by the store's observed up share.
    /// </summary>
    internal sealed record JsonWindow(double Uptime, double Downtime, double Unknown, double Business, double EstimatedUptime, double EstimatedDowntime, int Polls)
    {
        public static JsonWindow From(WindowFigures f) => new(
            WindowFigures.ToNumber(f.Uptime), WindowFigures.ToNumber(f.Downtime), WindowFigures.ToNumber(f.Unknown), WindowFigures.ToNumber(f.Business),
            WindowFigures.ToNumber(f.EstimatedUptime), WindowFigures.ToNumber(f.EstimatedDowntime), f.Polls);
    }

    internal sealed record JobSummary(string ReportId, string Status, string Method, double Progress, string RequestedAt, string? Now, string? FinishedAt, int Stores, string? Error)
    {
        public static JobSummary From(ReportJob job) => new(
            job.ReportId, job.Status, job.Method, Math.Round(job.Progress, 4), UnixMicros.Format(job.RequestedAtUs),
            job.NowUs is { } n ? UnixMicros.Format(n) : null, job.FinishedAtUs is { } f ? UnixMicros.Format(f) : null, job.StoresTotal, job.Error);
    }
}
