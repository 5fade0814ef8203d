using System.Text.Json;
using Dapper;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Debug;

/// <summary>What the data looks like: counts, coverage, ranges, samples and the last import's problems.</summary>
internal static class DebugEndpoints
{
    public static IEndpointRouteBuilder MapDebugData(this IEndpointRouteBuilder app)
    {
        app.MapGet("/debug_data", GetDebugData)
            .WithTags("Import")
            .WithName("DebugData")
            .WithSummary("Describes the imported data and its quality issues.");
        return app;
    }

    private static async Task<IResult> GetDebugData(StoreDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);

        const string countsSql = """
            SELECT
                (SELECT COUNT(*) FROM store_status) AS StoreStatus,
                (SELECT COUNT(*) FROM business_hours) AS BusinessHours,
                (SELECT COUNT(*) FROM store_timezones) AS Timezones,
                (SELECT COUNT(*) FROM stores) AS Stores
            """;
        var counts = await connection.QuerySingleAsync<TableCounts>(new CommandDefinition(countsSql, cancellationToken: cancellationToken));

        const string storesSql = """
            SELECT
                (SELECT COUNT(*) FROM (SELECT DISTINCT store_key FROM store_status) s) AS WithStatus,
                (SELECT COUNT(*) FROM (SELECT DISTINCT store_key FROM business_hours) h) AS WithHours,
                (SELECT COUNT(*) FROM store_timezones) AS WithTimezone,
                (SELECT COUNT(*) FROM (SELECT DISTINCT s.store_key FROM store_status s
                    WHERE EXISTS (SELECT 1 FROM business_hours h WHERE h.store_key = s.store_key)) x) AS StatusWithHours,
                (SELECT COUNT(*) FROM (SELECT DISTINCT s.store_key FROM store_status s
                    WHERE EXISTS (SELECT 1 FROM store_timezones t WHERE t.store_key = s.store_key)) y) AS StatusWithTimezone
            """;
        var stores = await connection.QuerySingleAsync<StoreCounts>(new CommandDefinition(storesSql, cancellationToken: cancellationToken));

        // COUNT, not SUM: MySQL's SUM is DECIMAL, which matches no long constructor parameter.
        const string distributionSql = """
            SELECT
                COUNT(CASE WHEN active = 1 THEN 1 END) AS Active,
                COUNT(CASE WHEN active = 0 THEN 1 END) AS Inactive,
                MIN(observed_at_us) AS Earliest,
                MAX(observed_at_us) AS Latest
            FROM store_status
            """;
        var distribution = await connection.QuerySingleAsync<Distribution>(new CommandDefinition(distributionSql, cancellationToken: cancellationToken));

        const string sampleStatusSql = """
            SELECT st.store_id AS StoreId, s.active AS Active, s.observed_at_us AS ObservedAtUs
            FROM store_status s JOIN stores st ON st.store_key = s.store_key
            ORDER BY s.store_key, s.observed_at_us LIMIT 5
            """;
        var statusSamples = (await connection.QueryAsync<(string StoreId, long Active, long ObservedAtUs)>(new CommandDefinition(sampleStatusSql, cancellationToken: cancellationToken)))
            .Select(r => new { store_id = r.StoreId, status = r.Active == 1 ? "active" : "inactive", timestamp_utc = UnixMicros.Format(r.ObservedAtUs) });

        const string sampleHoursSql = """
            SELECT st.store_id AS StoreId, h.day_of_week AS DayOfWeek, h.start_local AS StartTimeLocal, h.end_local AS EndTimeLocal
            FROM business_hours h JOIN stores st ON st.store_key = h.store_key
            ORDER BY h.store_key, h.day_of_week LIMIT 5
            """;
        var hoursSamples = await connection.QueryAsync<HoursSample>(new CommandDefinition(sampleHoursSql, cancellationToken: cancellationToken));

        const string sampleZonesSql = """
            SELECT st.store_id AS StoreId, t.timezone_str AS TimezoneStr
            FROM store_timezones t JOIN stores st ON st.store_key = t.store_key
            ORDER BY t.store_key LIMIT 5
            """;
        var zoneSamples = await connection.QueryAsync<ZoneSample>(new CommandDefinition(sampleZonesSql, cancellationToken: cancellationToken));

        const string lastImportSql = "SELECT summary_json FROM import_runs ORDER BY import_id DESC LIMIT 1";
        var lastImportJson = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(lastImportSql, cancellationToken: cancellationToken));
        using var lastImport = lastImportJson is null ? null : JsonDocument.Parse(lastImportJson);

        var issues = new List<string>();
        if (counts.StoreStatus == 0)
        {
            issues.Add("No status observations: run GET /import_data or `storemon import`.");
        }

        if (stores.WithStatus > stores.StatusWithHours)
        {
            issues.Add($"{stores.WithStatus - stores.StatusWithHours} stores with observations have no business hours and count as open 24x7.");
        }

        if (stores.WithStatus > stores.StatusWithTimezone)
        {
            issues.Add($"{stores.WithStatus - stores.StatusWithTimezone} stores with observations have no (known) timezone and use America/Chicago.");
        }

        var rejected = new List<object>();
        if (lastImport is not null)
        {
            foreach (var file in lastImport.RootElement.GetProperty("files").EnumerateArray())
            {
                var name = file.GetProperty("file").GetString();
                if (file.GetProperty("error").ValueKind == JsonValueKind.String)
                {
                    issues.Add($"Last import: {file.GetProperty("error").GetString()}");
                }

                var rejectedCount = file.GetProperty("rejected").GetInt64();
                if (rejectedCount > 0)
                {
                    issues.Add($"Last import: {rejectedCount} rows of {name} were rejected.");
                    foreach (var example in file.GetProperty("rejected_examples").EnumerateArray())
                    {
                        rejected.Add(new
                        {
                            file = name,
                            line = example.GetProperty("line").GetInt64(),
                            reason = example.GetProperty("reason").GetString(),
                            text = example.GetProperty("text").GetString(),
                        });
                    }
                }
            }

            foreach (var missing in lastImport.RootElement.GetProperty("missing_files").EnumerateArray())
            {
                issues.Add($"Last import: {missing.GetString()} was missing.");
            }
        }

        return TypedResults.Ok(new
        {
            import_status = lastImport is null ? "never imported" : lastImport.RootElement.GetProperty("files").EnumerateArray().All(f => f.GetProperty("error").ValueKind != JsonValueKind.String) ? "imported" : "imported with errors",
            last_import = lastImport is null ? null : WithDirectoryName(lastImport.RootElement),
            issues,
            counts = new { store_status = counts.StoreStatus, business_hours = counts.BusinessHours, timezones = counts.Timezones, stores = counts.Stores },
            distinct_stores = new
            {
                in_status = stores.WithStatus,
                in_business_hours = stores.WithHours,
                in_timezones = stores.WithTimezone,
                total = counts.Stores,
            },
            coverage = new
            {
                business_hours = Coverage(stores.StatusWithHours, stores.WithStatus),
                timezones = Coverage(stores.StatusWithTimezone, stores.WithStatus),
            },
            status_distribution = new
            {
                active = distribution.Active,
                inactive = distribution.Inactive,
                active_percent = Percent(distribution.Active, distribution.Active + distribution.Inactive),
            },
            time_range = new
            {
                earliest = distribution.Earliest is { } e ? UnixMicros.Format(e) : null,
                latest = distribution.Latest is { } l ? UnixMicros.Format(l) : null,
            },
            samples = new { store_status = statusSamples, business_hours = hoursSamples, timezones = zoneSamples },
            rejected_rows = rejected,
        });
    }

    /// <summary>The stored summary names the absolute data directory; callers see only its name.</summary>
    private static System.Text.Json.Nodes.JsonNode? WithDirectoryName(JsonElement summary)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(summary.GetRawText());
        if (node?["directory"]?.GetValue<string>() is { } directory)
        {
            node["directory"] = Import.ImportEndpoints.Shown(directory);
        }

        return node;
    }

    private static object Coverage(long covered, long total) => new { stores = covered, of = total, percent = Percent(covered, total) };

    private static double Percent(long part, long whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 2);

    private sealed record TableCounts(long StoreStatus, long BusinessHours, long Timezones, long Stores);

    private sealed record StoreCounts(long WithStatus, long WithHours, long WithTimezone, long StatusWithHours, long StatusWithTimezone);

    private sealed record Distribution(long Active, long Inactive, long? Earliest, long? Latest);

    internal sealed record HoursSample(string StoreId, long DayOfWeek, string StartTimeLocal, string EndTimeLocal);

    internal sealed record ZoneSample(string StoreId, string TimezoneStr);
}
