using Microsoft.Extensions.Logging;

namespace StoreMonitoring;

internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Applied migration {Version} ({Name}) on {Provider}")]
    public static partial void MigrationApplied(ILogger logger, long version, string name, string provider);

    [LoggerMessage(2001, LogLevel.Information, "Importing {Kind} file {File}")]
    public static partial void ImportingFile(ILogger logger, string kind, string file);

    [LoggerMessage(2002, LogLevel.Information, "Imported {File}: {Read} rows read, {Imported} imported, {Rejected} rejected in {ElapsedMs} ms")]
    public static partial void ImportedFile(ILogger logger, string file, long read, long imported, long rejected, long elapsedMs);

    [LoggerMessage(2003, LogLevel.Warning, "Rejected {File} as a whole: {Reason}")]
    public static partial void FileRejected(ILogger logger, string file, string reason);

    [LoggerMessage(2005, LogLevel.Warning, "Could not read {File}")]
    public static partial void FileUnreadable(ILogger logger, Exception exception, string file);

    [LoggerMessage(2006, LogLevel.Information, "Incidents of {Stores} stores touched by {File} updated in {ElapsedMs} ms")]
    public static partial void IncidentsUpdated(ILogger logger, string file, int stores, long elapsedMs);

    [LoggerMessage(2023, LogLevel.Warning, "Recomputed the incidents of {Stores} stores that an interrupted import still owed")]
    public static partial void IncidentBacklogSettled(ILogger logger, int stores);

    [LoggerMessage(2022, LogLevel.Warning, "Import of {File} lost a write conflict (attempt {Attempt}), reading it again: {Reason}")]
    public static partial void ImportRetried(ILogger logger, string file, int attempt, string reason);

    [LoggerMessage(2030, LogLevel.Information, "Skipped {File}: it is the very snapshot applied last")]
    public static partial void SnapshotSkipped(ILogger logger, string file);

    [LoggerMessage(2031, LogLevel.Error, "The database has no space left while importing {File}")]
    public static partial void StorageFull(ILogger logger, Exception exception, string file);

    [LoggerMessage(2020, LogLevel.Information, "Checked the structure of {File} before importing it in chunks in {ElapsedMs} ms")]
    public static partial void StructureChecked(ILogger logger, string file, long elapsedMs);

    [LoggerMessage(2021, LogLevel.Information, "Committed {File} up to {Polls} accepted polls")]
    public static partial void ChunkCommitted(ILogger logger, string file, long polls);

    [LoggerMessage(2004, LogLevel.Information, "Import progress {File}: {Rows} rows")]
    public static partial void ImportProgress(ILogger logger, string file, long rows);

    [LoggerMessage(2101, LogLevel.Information, "Polls ingested: {Accepted} accepted, {Unchanged} unchanged, {Rejected} rejected, {Conflicts} conflicts; incidents of {Stores} stores current; {LoadMs} ms to load, {ElapsedMs} ms in all")]
    public static partial void PollsIngested(ILogger logger, long accepted, long unchanged, long rejected, long conflicts, int stores, long loadMs, long elapsedMs);

    [LoggerMessage(2102, LogLevel.Warning, "Poll batch ran into another writer (attempt {Attempt}), trying again: {Reason}")]
    public static partial void IngestRetried(ILogger logger, int attempt, string reason);

    [LoggerMessage(3002, LogLevel.Information, "Report {ReportId} complete: {Stores} stores, method {Method}, {ElapsedMs} ms")]
    public static partial void ReportComplete(ILogger logger, string reportId, int stores, string method, long elapsedMs);

    [LoggerMessage(3007, LogLevel.Information, "Report {ReportId}: windows end at {Now}")]
    public static partial void ReportWindowsEnd(ILogger logger, string reportId, string now);

    [LoggerMessage(3008, LogLevel.Information, "Report {ReportId} handed back to the queue by {Worker}, which is stopping")]
    public static partial void ReportHandedBack(ILogger logger, string reportId, string worker);

    [LoggerMessage(3003, LogLevel.Error, "Report {ReportId} failed")]
    public static partial void ReportFailed(ILogger logger, Exception exception, string reportId);

    [LoggerMessage(3004, LogLevel.Warning, "Report {ReportId} lost its worker {Worker} (lease expired); attempt {Attempt}")]
    public static partial void ReportTakenOver(ILogger logger, string reportId, string? worker, int attempt);

    [LoggerMessage(3005, LogLevel.Information, "Report {ReportId} started by {Worker}")]
    public static partial void ReportStarted(ILogger logger, string reportId, string worker);

    [LoggerMessage(3009, LogLevel.Information, "Report {ReportId} planned by {Worker}: {Stores} stores in {Shards} shards")]
    public static partial void ReportPlanned(ILogger logger, string reportId, string worker, int stores, int shards);

    [LoggerMessage(3010, LogLevel.Debug, "Report {ReportId}: shard {Shard} ({Stores} stores) done by {Worker}")]
    public static partial void ShardComplete(ILogger logger, string reportId, int shard, int stores, string worker);

    [LoggerMessage(3011, LogLevel.Warning, "Report {ReportId}: shard {Shard} left to its lease by {Worker} after a database error; another worker takes it over when the lease runs out")]
    public static partial void ShardAbandoned(ILogger logger, Exception exception, string reportId, int shard, string worker);

    [LoggerMessage(3012, LogLevel.Warning, "Report {ReportId}: planning left to its lease by {Worker} after a database error")]
    public static partial void PlanAbandoned(ILogger logger, Exception exception, string reportId, string worker);

    [LoggerMessage(3006, LogLevel.Warning, "Could not export report {ReportId} to {Path}")]
    public static partial void ReportExportFailed(ILogger logger, Exception exception, string reportId, string path);
}
