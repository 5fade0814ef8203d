using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StoreMonitoring.Api.Operations;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Reports.Rollups;
using StoreMonitoring.Time;
using StoreMonitoring.Storage;

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
            .WithDescription("Optional query parameters: method (interpolated, the default, ratio or learned) and now (ISO 8601 within the accepted range; default: the latest poll). The same method and now while such a report is pending or running returns that report's id; 429 when Reports:MaxQueued reports are waiting. "
                + "With period (day:YYYY-MM-DD, week:YYYY-Www, month:YYYY-MM, quarter:YYYY-Qn, range:A..B, last_7_days, last_30_days) the report is summed from the daily rollups and answered at once: CSV, or JSON with format=json; columns=extended adds the poll counts (docs/periods.md).")
            .Produces<PeriodReportResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<string>(StatusCodes.Status200OK, "text/csv");

        group.MapGet("/get_report", GetReport)
            .WithName("GetReport")
            .WithSummary("Polls a report: Running with progress, Error, or the finished CSV (or JSON with format=json).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .AddOpenApiOperationTransformer(ReportOpenApi.DescribeDownloadsAsync);

        group.MapGet("/reports", ListReports)
            .WithName("ListReports")
            .WithSummary("The most recent report jobs with their state.");

        return app;
    }

    /// <summary>What a report asked for before any import says, here and on the dashboard.</summary>
    public const string NoPollsYet = "no polls imported yet: import first (POST /import_data, or storemon import DIR).";

    private static async Task<Results<Ok<TriggerResponse>, Ok<PeriodReportResponse>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> TriggerReport(
        ReportQueue queue, AcceptedInstants accepted, StoreDatabase database, IOptions<StoreMonitoringOptions> options, HttpContext context,
        string? method, string? now, string? period, string? format, string? columns, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var estimationMethod = query.Method(method, options.Value.Reports.DefaultMethod);
        var requestedNow = query.Instant(now, accepted, "now");
        Period? parsedPeriod = null;
        var asJson = false;
        var extended = false;
        if (period is not null)
        {
            parsedPeriod = query.Period(period, method, "a period report");
            asJson = query.Choice(format, "format", "csv", "json") == "json";
            extended = query.Choice(columns, "columns", "default", "extended") == "extended";
        }
        else if (format is not null || columns is not null)
        {
            query.Fail(format is not null ? "format" : "columns", "applies only with period (get_report takes it for a queued report)");
        }

        if (!query.IsValid)
        {
            return query.Problem("Invalid report request");
        }

        if (parsedPeriod is not null)
        {
            return await PeriodReportAsync(database, parsedPeriod, requestedNow, asJson, extended, cancellationToken);
        }

        // Without `now` a report ends at the latest poll; with none there is no such instant, and a
        // report "as of 1970" helps nobody. An explicit `now` on an empty database is a well-defined,
        // empty report.
        if (requestedNow is null && !await HasPollsAsync(database, cancellationToken))
        {
            return TypedResults.Problem(NoPollsYet, statusCode: StatusCodes.Status409Conflict, title: "No polls yet");
        }

        ReportJob job;
        try
        {
            job = await queue.EnqueueAsync(estimationMethod, requestedNow, cancellationToken);
        }
        catch (ReportQueueFullException ex)
        {
            context.Response.Headers.RetryAfter = "10";
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Report queue full");
        }

        return TypedResults.Ok(new TriggerResponse(job.ReportId, job.MethodName));
    }

    /// <summary>A period report answered at once (also the dashboard's month view, so that its CSV is this one).</summary>
    internal static async Task<Results<Ok<TriggerResponse>, Ok<PeriodReportResponse>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> PeriodReportAsync(
        StoreDatabase database, Period period, long? requestedNow, bool asJson, bool extended, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = requestedNow ?? await Dapper.SqlMapper.ExecuteScalarAsync<long?>(connection, new Dapper.CommandDefinition(database.Dialect.LatestObservationQuery, cancellationToken: cancellationToken));
        if (now is null)
        {
            return TypedResults.Problem(NoPollsYet, statusCode: StatusCodes.Status409Conflict, title: "No polls yet");
        }

        var rows = PeriodReport.Compute(connection, database.Dialect, period, now.Value);
        if (asJson)
        {
            return TypedResults.Ok(new PeriodReportResponse(period.Text, UnixMicros.Format(now.Value), rows.Select(PeriodStoreRow.From).ToList()));
        }

        using var text = new StringWriter(CultureInfo.InvariantCulture);
        PeriodCsv.WriteHeader(text, extended);
        foreach (var row in rows)
        {
            PeriodCsv.WriteRow(text, row, extended);
        }

        return TypedResults.File(new UTF8Encoding(false).GetBytes(text.ToString()), "text/csv; charset=utf-8", $"report_{period.Text.Replace(':', '_')}.csv");
    }

    private static async Task<bool> HasPollsAsync(StoreDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await Dapper.SqlMapper.ExecuteScalarAsync<int>(connection, new Dapper.CommandDefinition(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM store_status) THEN 1 ELSE 0 END", cancellationToken: cancellationToken)) == 1;
    }

    private static async Task<Results<Ok<ReportState>, Ok<JsonReport>, PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> GetReport(
        ReportJobs jobs, string? report_id, string? format, string? columns, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var id = query.Guid(report_id, "report_id");
        var asJson = query.Choice(format, "format", "csv", "json") == "json";
        var extended = query.Choice(columns, "columns", "default", "extended") == "extended";
        if (!query.IsValid)
        {
            return query.Problem("Invalid report query");
        }

        var job = await jobs.GetAsync(id!.Value.ToString(), cancellationToken);
        if (job is null)
        {
            return TypedResults.Problem($"No report with id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown report");
        }

        if (job.Status != ReportStatus.Complete)
        {
            return TypedResults.Ok(ReportState.From(job));
        }

        if (asJson)
        {
            return TypedResults.Ok(new JsonReport(
                job.ReportId, ReportStatus.Complete.Name(), job.MethodName, job.NowUs is { } n ? UnixMicros.Format(n) : null, Units.Of(ReportWindow.Standard),
                jobs.ReadRowsAsync(job.ReportId, cancellationToken).Select(JsonStoreRow.From)));
        }

        return TypedResults.Stream(stream => WriteCsvAsync(stream, jobs, job.ReportId, extended, job.MethodName == EstimationMethod.Learned.Name(), cancellationToken), "text/csv; charset=utf-8", $"report_{job.ReportId}.csv");
    }

    private static async Task<Results<Ok<IEnumerable<JobSummary>>, ValidationProblem>> ListReports(ReportJobs jobs, string? limit, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var count = query.Int(limit, 20, 1, 500, "limit");
        return query.IsValid
            ? TypedResults.Ok((await jobs.ListAsync(count, cancellationToken)).Select(JobSummary.From))
            : query.Problem("Invalid report list query");
    }

    /// <summary>
    /// ReportCsv writes synchronously, and Kestrel refuses synchronous writes to the response: once
    /// a writer's buffer filled (a report over 64 KB, about 900 stores) the download broke off after
    /// the headers. Rows are formatted into an in-memory chunk, which goes out asynchronously.
    /// </summary>
    private static async Task WriteCsvAsync(Stream stream, ReportJobs jobs, string reportId, bool extended, bool intervals, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
        using var chunk = new StringWriter(CultureInfo.InvariantCulture);
        var text = chunk.GetStringBuilder();
        ReportCsv.WriteHeader(chunk, extended, intervals);
        await foreach (var row in jobs.ReadRowsAsync(reportId, cancellationToken))
        {
            ReportCsv.WriteRow(chunk, row, extended);
            if (text.Length >= 1 << 15)
            {
                await writer.WriteAsync(text, cancellationToken);
                text.Clear();
            }
        }

        await writer.WriteAsync(text, cancellationToken);
    }
}

/// <summary>A period report as JSON: one row per store, figures in hours (the longest incident in minutes).</summary>
internal sealed record PeriodReportResponse(string Period, string Now, IReadOnlyList<PeriodStoreRow> Stores);

internal sealed record PeriodStoreRow(
    string StoreId, string PeriodStartLocal, string PeriodEndLocal, double BusinessHours, double UptimeHours, double DowntimeHours, double UnknownHours,
    double? AvailabilityPct, int Incidents, double LongestIncidentMinutes, bool Partial, int PollsInHours, int ActivePollsInHours)
{
    public static PeriodStoreRow From(PeriodRow row)
    {
        var t = row.Totals;
        var hours = PeriodHours.Of(t);
        return new PeriodStoreRow(
            row.StoreId, row.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            hours.Business, hours.Up, hours.Down, hours.Unknown, hours.AvailabilityPct, t.Incidents,
            WindowFigures.ToNumber(WindowFigures.Hundredths(t.LongestIncident, UnixMicros.PerMinute)), row.Partial, t.Polls, t.Active);
    }
}

/// <summary>A rollup's figures in hours, rounded to hundredths; parts rounded on their own could add up to more than the rounded whole, so the unknown takes the rest.</summary>
internal readonly record struct PeriodHours(double Business, double Up, double Down, double Unknown, double? AvailabilityPct)
{
    public static PeriodHours Of(DayRollup t)
    {
        var business = WindowFigures.Hundredths(t.Business, UnixMicros.PerHour);
        var up = WindowFigures.Hundredths(t.Up, UnixMicros.PerHour);
        var down = Math.Min(WindowFigures.Hundredths(t.Down, UnixMicros.PerHour), business - up);
        return new PeriodHours(
            WindowFigures.ToNumber(business), WindowFigures.ToNumber(up), WindowFigures.ToNumber(down), WindowFigures.ToNumber(business - up - down),
            t.AvailabilityHundredths is { } a ? WindowFigures.ToNumber(a) : null);
    }
}
