using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>What one retention pass removed.</summary>
public sealed record RetentionResult(int Reports, int Files, int ImportRuns);

/// <summary>
/// Keeps storage bounded: finished reports older than <c>Reports:RetentionDays</c> or beyond the
/// newest <c>Reports:RetentionCount</c> go, with their rows and exported CSV files; import runs
/// follow the same two rules, except that the latest one always stays (<c>/debug_data</c> shows it).
/// </summary>
public sealed partial class ReportRetention(StoreDatabase database, TimeProvider time, IOptions<StoreMonitoringOptions> options, ILogger<ReportRetention> logger)
{
    /// <summary>Where a finished report's CSV is exported; the runner writes it, retention removes it.</summary>
    public static string ExportPath(string reportDirectory, string reportId) => Path.Combine(reportDirectory, $"report_{reportId}.csv");

    public async Task<RetentionResult> CleanAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value.Reports;
        var cutoff = UnixMicros.FromDateTimeOffset(time.GetUtcNow().AddDays(-settings.RetentionDays));
        await using var connection = await database.OpenAsync(cancellationToken);

        // Pending and running reports are never touched: only Complete and Error have finished.
        var finished = await connection.QueryAsync<(string ReportId, long FinishedAtUs)>(new CommandDefinition(
            $"""
            SELECT report_id, finished_at_us FROM report_jobs
            WHERE status IN ({ReportStatuses.Stored.SqlList(ReportStatus.Complete, ReportStatus.Error)}) AND finished_at_us IS NOT NULL
            ORDER BY finished_at_us DESC, report_id DESC
            """,
            cancellationToken: cancellationToken));
        var expired = finished.Where((r, i) => i >= settings.RetentionCount || r.FinishedAtUs < cutoff).Select(r => r.ReportId).ToList();

        var files = 0;
        foreach (var reportId in expired)
        {
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM report_rows WHERE report_id = @reportId", new { reportId }, transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM report_shards WHERE report_id = @reportId", new { reportId }, transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM report_jobs WHERE report_id = @reportId", new { reportId }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
            }

            files += DeleteExport(reportId) ? 1 : 0;
        }

        var importRuns = await DeleteImportRunsAsync(connection, cutoff, settings.RetentionCount, cancellationToken);
        var result = new RetentionResult(expired.Count, files, importRuns);
        if (result.Reports > 0 || result.ImportRuns > 0)
        {
            LogCleaned(result.Reports, result.Files, result.ImportRuns);
        }

        return result;
    }

    private static async Task<int> DeleteImportRunsAsync(System.Data.Common.DbConnection connection, long cutoff, int keep, CancellationToken cancellationToken)
    {
        // Two steps, because MySQL cannot DELETE from a table that a subquery of the same statement reads.
        var oldestKept = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT import_id FROM import_runs ORDER BY import_id DESC LIMIT 1 OFFSET @offset", new { offset = keep - 1 }, cancellationToken: cancellationToken));
        var latest = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(import_id) FROM import_runs", cancellationToken: cancellationToken));
        if (latest is null)
        {
            return 0;
        }

        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM import_runs WHERE import_id < @latest AND (finished_at_us < @cutoff OR import_id < @oldestKept)",
            new { latest, cutoff, oldestKept = oldestKept ?? 0 }, cancellationToken: cancellationToken));
    }

    private bool DeleteExport(string reportId)
    {
        var path = ExportPath(options.Value.ReportDirectory, reportId);
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The rows are gone, so the report is gone for the API; a stray file is only disk.
            LogFileNotDeleted(ex, path);
            return false;
        }
    }

    [LoggerMessage(3101, LogLevel.Information, "Retention removed {Reports} report(s), {Files} exported file(s) and {ImportRuns} import run(s)")]
    private partial void LogCleaned(int reports, int files, int importRuns);

    [LoggerMessage(3102, LogLevel.Warning, "Retention could not delete {Path}")]
    private partial void LogFileNotDeleted(Exception exception, string path);
}
