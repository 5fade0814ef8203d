using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using StoreMonitoring.Api.Reports;
using StoreMonitoring.Api.Security;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring.Api.Ui;

/// <summary>Per charted window: <c>"{name}": [bins]</c> and <c>"no_business_{column}": stores without business time</c>.</summary>
internal sealed record UptimeHistogram
{
    [JsonExtensionData]
    public Dictionary<string, object> ByWindow { get; init; } = [];
}

/// <summary><c>{widest}_downtime</c>, <c>{widest}_business</c>, then each narrower charted window's <c>{name}_downtime</c>.</summary>
internal sealed record DowntimeRow(string StoreId)
{
    [JsonExtensionData]
    public Dictionary<string, object> Figures { get; init; } = [];
}

/// <summary>A window of the digest: its histogram and column stem (the chart's id is <c>hist-{column}</c>).</summary>
internal sealed record ChartedWindow(string Name, string Column, string Unit);

internal sealed record ReportSummary(
    string ReportId, string Method, string? Now, int Stores, IReadOnlyList<ChartedWindow> Windows, UptimeHistogram Histogram, IReadOnlyList<DowntimeRow> MostDowntime);

/// <summary>The dashboard: static files under <c>/ui</c>, and the one digest of a report it needs.</summary>
internal static class UiEndpoints
{
    public const int Bins = 10;
    public const int TopStores = 20;

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        // The page itself holds no data: it loads without a key and asks for one when the API answers 401.
        // Files come from wwwroot/ui through an endpoint (not MapStaticAssets, whose build manifest
        // only works in Development or from published output, and not UseStaticFiles, which would
        // run ahead of the pipeline's limits and authorization ordering in Program.cs).
        app.MapGet("/ui/{**path}", File).AllowAnonymous().ExcludeFromDescription();
        // Matches /ui/ too: routing ignores a trailing slash.
        app.MapGet("/ui", () => TypedResults.Redirect("/ui/index.html")).AllowAnonymous().ExcludeFromDescription();

        // A whole JSON report is about 1.5 MB at 3,678 stores: the overview needs 20 rows and two histograms of it.
        app.MapGet("/ui/api/report_summary", SummaryAsync)
            .RequireAuthorization(Scopes.Read).WithTags("Reports").WithName("GetReportSummary")
            .WithSummary("A completed report digested for the dashboard: histograms of each store's estimated uptime share (10 bins of 10 %) for the last day and week, and the 20 stores with most estimated downtime in the last week (hours). Default: the latest completed report.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/ui/api/overview", UiOverviewEndpoint.GetAsync)
            .RequireAuthorization(Scopes.Read).WithTags("Live").WithName("GetUiOverview")
            .WithSummary("The dashboard's overview in one request: store counts by state now (as GET /stores?status= counts them), open now, and the last import's files and rejected-row examples (as /debug_data gives them).");
        app.MapGet("/ui/api/month", UiMonth.GetAsync)
            .RequireAuthorization(Scopes.Read).WithTags("Reports").WithName("GetUiMonth")
            .WithSummary("The dashboard's fleet month: the period report for month=YYYY-MM (default: the month of the latest poll, UTC), as POST /trigger_report?period=month:YYYY-MM answers it, with a read key: JSON, or CSV with format=csv.")
            .Produces<PeriodReportResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<string>(StatusCodes.Status200OK, "text/csv");
        return app;
    }

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private static Microsoft.Extensions.FileProviders.IFileProvider? _files;

    /// <summary>
    /// wwwroot under the content root when it holds the dashboard (dotnet run, the published
    /// folder as working directory), else the copy beside the service's own dll: the content root
    /// is the working directory, and a service started from elsewhere would otherwise serve no dashboard.
    /// </summary>
    internal static Microsoft.Extensions.FileProviders.IFileProvider Files(IWebHostEnvironment environment) =>
        _files ??= environment.WebRootFileProvider.GetFileInfo("ui/index.html").Exists
            ? environment.WebRootFileProvider
            : Directory.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot"))
                ? new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"))
                : environment.WebRootFileProvider;

    private static Results<FileStreamHttpResult, NotFound> File(string path, IWebHostEnvironment environment, HttpContext context)
    {
        // The provider refuses paths that climb out of wwwroot.
        var file = Files(environment).GetFileInfo($"ui/{path}");
        if (!file.Exists || file.IsDirectory || !ContentTypes.TryGetContentType(file.Name, out var contentType))
        {
            return TypedResults.NotFound();
        }

        // Revalidated on each load (ETag), so a deployed change shows at once.
        context.Response.Headers.CacheControl = "no-cache";
        var tag = new EntityTagHeaderValue($"\"{file.LastModified.UtcTicks:x}-{file.Length:x}\"");
        return TypedResults.File(file.CreateReadStream(), contentType, lastModified: file.LastModified, entityTag: tag);
    }

    private static async Task<Results<Ok<ReportSummary>, ValidationProblem, ProblemHttpResult>> SummaryAsync(ReportJobs jobs, string? report_id, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var id = report_id is null ? null : query.Guid(report_id, "report_id");
        if (!query.IsValid)
        {
            return query.Problem("Invalid report summary query");
        }

        var job = id is { } wanted
            ? await jobs.GetAsync(wanted.ToString(), cancellationToken)
            : (await jobs.ListAsync(100, cancellationToken)).FirstOrDefault(j => j.Status == ReportStatus.Complete);
        if (job is null || job.Status != ReportStatus.Complete)
        {
            return TypedResults.Problem(id is null ? "No report has completed yet." : $"No completed report with id {id}.", statusCode: StatusCodes.Status404NotFound, title: "No report");
        }

        // A window whose unknown time goes wholly to one state (the hour) has shares of about 0 or 1: nothing to chart.
        var charted = ReportWindow.Standard.Where(w => !w.UnknownToLikelier).Reverse().ToList();
        var widest = charted[0];
        var bins = charted.Select(_ => new int[Bins]).ToArray();
        var noBusiness = new int[charted.Count];
        var stores = 0;
        var top = new List<(string StoreId, double Downtime, Dictionary<string, object> Figures)>();
        await foreach (var row in jobs.ReadRowsAsync(job.ReportId, cancellationToken).Select(JsonStoreRow.From))
        {
            stores++;
            var figures = new Dictionary<string, object>
            {
                [$"{widest.Name}_downtime"] = row[widest].EstimatedDowntime,
                [$"{widest.Name}_business"] = row[widest].Business,
            };
            for (var i = 0; i < charted.Count; i++)
            {
                noBusiness[i] += Count(bins[i], row[charted[i]]);
                figures.TryAdd($"{charted[i].Name}_downtime", row[charted[i]].EstimatedDowntime);
            }

            top.Add((row.StoreId, row[widest].EstimatedDowntime, figures));
        }

        var histogram = new Dictionary<string, object>();
        for (var i = charted.Count - 1; i >= 0; i--)
        {
            histogram[charted[i].Name] = bins[i];
        }

        for (var i = charted.Count - 1; i >= 0; i--)
        {
            histogram[$"no_business_{charted[i].Column}"] = noBusiness[i];
        }

        var most = top.OrderByDescending(r => r.Downtime).ThenBy(r => r.StoreId, StringComparer.Ordinal).Take(TopStores)
            .Select(r => new DowntimeRow(r.StoreId) { Figures = r.Figures }).ToList();
        var windows = charted.AsEnumerable().Reverse().Select(w => new ChartedWindow(w.Name, w.Column, w.UnitName)).ToList();
        return TypedResults.Ok(new ReportSummary(
            job.ReportId, job.MethodName, job.NowUs is { } n ? Time.UnixMicros.Format(n) : null, stores, windows, new UptimeHistogram { ByWindow = histogram }, most));
    }

    /// <summary>Adds the window's uptime share to its bin; a window without business time has no share (returns 1).</summary>
    private static int Count(int[] bins, JsonWindow window)
    {
        if (window.Business <= 0)
        {
            return 1;
        }

        bins[Bin(window.EstimatedUptime / window.Business)]++;
        return 0;
    }

    public static int Bin(double share) => Math.Clamp((int)Math.Floor(share * Bins), 0, Bins - 1);
}
