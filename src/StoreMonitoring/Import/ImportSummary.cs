namespace StoreMonitoring.Import;

/// <summary>The three kinds of input file.</summary>
public enum InputKind
{
    StoreStatus,
    BusinessHours,
    Timezones,
}

/// <summary>A row that was skipped, with its 1-based line number in the file.</summary>
public sealed record RejectedRow(long Line, string Reason, string Text);

/// <summary>What one file's import did.</summary>
public sealed record FileImportSummary(
    InputKind Kind,
    string File,
    long RowsRead,
    long Imported,
    long Unchanged,
    long Rejected,
    long DurationMs,
    IReadOnlyList<RejectedRow> RejectedExamples,
    string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>What one import run did, file by file.</summary>
public sealed record ImportSummary(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string Directory,
    IReadOnlyList<FileImportSummary> Files,
    IReadOnlyList<string> MissingFiles)
{
    public bool Succeeded => Files.All(f => f.Succeeded);
}

/// <summary>Another import holds the database-wide import lock.</summary>
public sealed class ImportInProgressException() : InvalidOperationException("Another import is running; try again when it has finished.");

/// <summary>None of the three input files is in the directory.</summary>
public sealed class InputFilesNotFoundException(string directory)
    : FileNotFoundException($"No input files in '{directory}': expected store_status.csv, menu_hours.csv (or business_hours.csv, 'Menu hours.csv') and timezones.csv (or bq-results-*.csv).")
{
    public string Directory { get; } = directory;
}
