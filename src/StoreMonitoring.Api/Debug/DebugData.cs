using StoreMonitoring.Import;

namespace StoreMonitoring.Api.Debug;

internal sealed record DebugData(
    string ImportStatus,
    LastImport? LastImport,
    IReadOnlyList<string> Issues,
    TableCounts Counts,
    DistinctStores DistinctStores,
    CoverageOf Coverage,
    StatusDistribution StatusDistribution,
    TimeRangeOf TimeRange,
    Samples Samples,
    IReadOnlyList<RejectedSample> RejectedRows);

/// <summary>The last import run as callers see it: the data directory by its own name only.</summary>
internal sealed record LastImport(
    string Directory,
    DateTimeOffset StartedAt, DateTimeOffset FinishedAt, bool Succeeded, IReadOnlyList<LastImportFile> Files, IReadOnlyList<string> MissingFiles);

internal static class LastImports
{
    public static LastImport? From(ImportSummary? summary) => summary is null ? null : new LastImport(
        Import.ImportEndpoints.Shown(summary.Directory), summary.StartedAt, summary.FinishedAt, summary.Succeeded,
        [.. summary.Files.Select(f => new LastImportFile(f.File, f.Kind, f.RowsRead, f.Imported, f.Unchanged, f.Rejected, f.Conflicts, f.Error))],
        summary.MissingFiles);

    /// <summary>Each file's example rejected and conflicting rows, with the file's name.</summary>
    public static List<RejectedSample> Rejected(ImportSummary? summary) =>
        [.. (summary?.Files ?? []).SelectMany(f => (f.RejectedExamples ?? []).Concat(f.ConflictExamples ?? []).Select(e => new RejectedSample(f.File, e.Line, e.Reason, e.Text)))];
}

internal sealed record LastImportFile(string File, InputKind Kind, long RowsRead, long Imported, long Unchanged, long Rejected, long Conflicts, string? Error);

internal sealed record TableCounts(long StoreStatus, long BusinessHours, long Timezones, long Stores);

internal sealed record StoreCounts(long WithStatus, long WithHours, long WithTimezone, long StatusWithHours, long StatusWithTimezone);

/// <summary>Settable properties, not a positional record: on an empty table SQLite types MIN and MAX as blobs, which no constructor matches.</summary>
internal sealed class Distribution
{
    public long Active { get; init; }

    public long Inactive { get; init; }

    public long? Earliest { get; init; }

    public long? Latest { get; init; }
}

internal sealed record DistinctStores(long InStatus, long InBusinessHours, long InTimezones, long Total);

internal sealed record Coverage(long Stores, long Of, double Percent)
{
    public static Coverage From(long covered, long total) => new(covered, total, PercentOf(covered, total));

    public static double PercentOf(long part, long whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 2);
}

internal sealed record CoverageOf(Coverage BusinessHours, Coverage Timezones);

internal sealed record StatusDistribution(long Active, long Inactive, double ActivePercent);

internal sealed record TimeRangeOf(string? Earliest, string? Latest);

internal sealed record Samples(IReadOnlyList<StatusSample> StoreStatus, IReadOnlyList<HoursSample> BusinessHours, IReadOnlyList<ZoneSample> Timezones);

internal sealed record StatusSample(string StoreId, string Status, string TimestampUtc);

internal sealed record HoursSample(string StoreId, long DayOfWeek, string StartTimeLocal, string EndTimeLocal);

internal sealed record ZoneSample(string StoreId, string TimezoneStr);

internal sealed record RejectedSample(string File, long Line, string Reason, string Text);

/// <summary>The debug view's SQL, portable to both engines.</summary>
internal static class DebugSql
{
    public const string Counts = """
        SELECT
            (SELECT COUNT(*) FROM store_status) AS StoreStatus,
            (SELECT COUNT(*) FROM business_hours) AS BusinessHours,
            (SELECT COUNT(*) FROM store_timezones) AS Timezones,
            (SELECT COUNT(*) FROM stores) AS Stores
        """;

    public const string Stores = """
        SELECT
            (SELECT COUNT(*) FROM (SELECT DISTINCT store_key FROM store_status) s) AS WithStatus,
            (SELECT COUNT(*) FROM (SELECT DISTINCT store_key FROM business_hours) h) AS WithHours,
            (SELECT COUNT(*) FROM store_timezones) AS WithTimezone,
            (SELECT COUNT(*) FROM (SELECT DISTINCT s.store_key FROM store_status s
                WHERE EXISTS (SELECT 1 FROM business_hours h WHERE h.store_key = s.store_key)) x) AS StatusWithHours,
            (SELECT COUNT(*) FROM (SELECT DISTINCT s.store_key FROM store_status s
                WHERE EXISTS (SELECT 1 FROM store_timezones t WHERE t.store_key = s.store_key)) y) AS StatusWithTimezone
        """;

    // COUNT, not SUM: MySQL's SUM is DECIMAL, which matches no long constructor parameter.
    public const string Distribution = """
        SELECT
            COUNT(CASE WHEN active = 1 THEN 1 END) AS Active,
            COUNT(CASE WHEN active = 0 THEN 1 END) AS Inactive,
            MIN(observed_at_us) AS Earliest,
            MAX(observed_at_us) AS Latest
        FROM store_status
        """;

    public const string StatusSamples = """
        SELECT st.store_id AS StoreId, s.active AS Active, s.observed_at_us AS ObservedAtUs
        FROM store_status s JOIN stores st ON st.store_key = s.store_key
        ORDER BY s.store_key, s.observed_at_us LIMIT 5
        """;

    public const string HoursSamples = """
        SELECT st.store_id AS StoreId, h.day_of_week AS DayOfWeek, h.start_local AS StartTimeLocal, h.end_local AS EndTimeLocal
        FROM business_hours h JOIN stores st ON st.store_key = h.store_key
        ORDER BY h.store_key, h.day_of_week LIMIT 5
        """;

    public const string ZoneSamples = """
        SELECT st.store_id AS StoreId, t.timezone_str AS TimezoneStr
        FROM store_timezones t JOIN stores st ON st.store_key = t.store_key
        ORDER BY t.store_key LIMIT 5
        """;
}
