using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using StoreMonitoring.Api.Reports;
using StoreMonitoring.Reports;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;
using Period = StoreMonitoring.Reports.Rollups.Period;

namespace StoreMonitoring.Api.Ui;

/// <summary>
/// The dashboard's fleet month: the period report for <c>month:YYYY-MM</c>, answered with a read
/// key (<c>POST /trigger_report</c> needs a write key). It is that report's own code, so the CSV
/// here is the period report's CSV, figure for figure.
/// </summary>
internal static partial class UiMonth
{
    public static async Task<Results<Ok<PeriodReportResponse>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetAsync(
        StoreDatabase database, StoreQueries stores, string? month, string? format, CancellationToken cancellationToken)
    {
        var query = new ApiQuery();
        var asJson = query.Choice(format, "format", "json", "csv") == "json";
        Period? period = null;
        if (month is not null)
        {
            if (!Month().IsMatch(month) || !Period.TryParse($"month:{month}", out period, out _))
            {
                query.Fail("month", $"month '{(month.Length > 16 ? month[..16] + "..." : month)}' is not a month: use YYYY-MM, e.g. 2024-10.");
            }
        }

        if (!query.IsValid)
        {
            return query.Problem("Invalid month query");
        }

        // Without a month: the month of the data's now (its UTC date), the month the dashboard opens on.
        if (period is null)
        {
            var now = await stores.DefaultNowAsync(cancellationToken);
            if (!Period.TryParse($"month:{UnixMicros.Format(now)[..7]}", out period, out var problem))
            {
                throw new InvalidOperationException(problem);
            }
        }

        var result = (await ReportEndpoints.PeriodReportAsync(database, period, null, asJson, extended: false, cancellationToken)).Result;
        return result switch
        {
            Ok<PeriodReportResponse> ok => ok,
            FileContentHttpResult file => file,
            ValidationProblem invalid => invalid,
            ProblemHttpResult problem => problem,
            _ => throw new InvalidOperationException($"A period report answered {result.GetType().Name}."),
        };
    }

    [GeneratedRegex(@"^\d{4}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Month();
}
