using System.Text.Json;
using Dapper;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Import;

/// <summary>The record of past import runs, each with its summary.</summary>
public static class ImportRuns
{
    /// <summary>The latest run's summary, or null before the first import.</summary>
    public static async Task<ImportSummary?> LastAsync(StoreDatabase database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var json = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT summary_json FROM import_runs ORDER BY import_id DESC LIMIT 1", cancellationToken: cancellationToken));
        return json is null ? null : JsonSerializer.Deserialize<ImportSummary>(json, ImportJson.Options);
    }
}
