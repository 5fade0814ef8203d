namespace StoreMonitoring.Import;

/// <summary>The three kinds of input file.</summary>
public enum InputKind
{
    StoreStatus,
    BusinessHours,
    Timezones,
}

/// <summary>A row that was skipped (or, for a conflict, not applied), with its 1-based line number in the file.</summary>
public sealed record RejectedRow(long Line, string Reason, string Text);

/// <summary>What one file's import did.</summary>
/// <param name="Unchanged">Rows that repeat what is stored (or an earlier row of the file).</param>
/// <param name="Conflicts">Rows that contradict an accepted row for the same key (the first accepted wins).</param>
/// <param name="Replaced">Snapshots only: how many stored rows the file replaced.</param>
/// <param name="Removed">Snapshots only: how many stores had rows before and have none after.</param>
/// <param name="Skipped">Snapshots only: why the file was not applied although nothing is wrong with it (it is the very file applied last).</param>
public sealed record FileImportSummary(
    InputKind Kind,
    string File,
    long RowsRead,
    long Imported,
    long Unchanged,
    long Rejected,
    long Conflicts,
    long DurationMs,
    IReadOnlyList<RejectedRow> RejectedExamples,
    IReadOnlyList<RejectedRow> ConflictExamples,
    long? Replaced,
    long? Removed,
    string? Error,
    string? Skipped = null)
{
    public bool Succeeded => Error is null;
}

/// <summary>What one import run did, file by file.</summary>
/// <param name="Directory">The data directory as the operator named it (never resolved to an absolute path in responses).</param>
public sealed record ImportSummary(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string Directory,
    IReadOnlyList<FileImportSummary> Files,
    IReadOnlyList<string> MissingFiles,
    IReadOnlyList<IgnoredFile>? IgnoredFiles = null)
{
    public bool Succeeded => Files.All(f => f.Succeeded);

    public long DurationMs => (long)(FinishedAt - StartedAt).TotalMilliseconds;
}

/// <summary>A file in the data directory that could have been the input of a kind, and was not used: <paramref name="UsedInstead"/> was.</summary>
public sealed record IgnoredFile(InputKind Kind, string File, string UsedInstead, string Reason);

/// <summary>The database ran out of space while a file was imported: that file was rolled back, <see cref="Committed"/> went in before it.</summary>
public sealed class ImportStorageFullException(string file, IReadOnlyList<string> committed, Exception inner)
    : IOException($"The database has no space left (its disk or quota is full): nothing of {file} was applied"
        + (committed.Count == 0 ? "; no file of this import was committed" : $"; committed before it: {string.Join(", ", committed)}")
        + ". Free space and import again (committed files then count as unchanged).", inner)
{
    public string File { get; } = file;

    public IReadOnlyList<string> Committed { get; } = committed;
}

/// <summary>Another import holds the database-wide import lock.</summary>
public sealed class ImportInProgressException() : InvalidOperationException("Another import is running; try again when it has finished.");

/// <summary>None of the three input files is in the directory.</summary>
public sealed class InputFilesNotFoundException(string directory)
    : FileNotFoundException(System.IO.Directory.Exists(directory)
        ? $"No input files in '{directory}': expected store_status.csv, menu_hours.csv (or business_hours.csv, 'Menu hours.csv') and timezones.csv (or bq-results-*.csv)."
        : $"The data directory '{directory}' does not exist: create it with the CSV files in it, or point StoreMonitoring:DataDirectory at the one that holds them.")
{
    public string Directory { get; } = directory;
}

/// <summary>A file whose shape is wrong as a whole (its header, its encoding, a runaway quote): nothing of it is applied.</summary>
public sealed class InvalidInputFileException(string message) : Exception(message);
