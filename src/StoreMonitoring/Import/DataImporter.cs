using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using nietras.SeparatedValues;
using NodaTime;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Import;

/// <summary>Progress of a running import, for a CLI progress line or a log.</summary>
public readonly record struct ImportProgress(string File, long RowsRead, double Fraction);

/// <summary>
/// Imports the three input files. Each file is applied in one transaction, so a file that fails
/// is applied not at all and the others are unaffected; a bad row is skipped, counted and kept
/// as an example.
/// </summary>
public sealed class DataImporter(StoreDatabase database, AppLock appLock, TimeProvider time, ILogger<DataImporter> logger, Telemetry.StoreMonitoringMetrics metrics) : IDisposable
{
    public const int MaxStoreIdLength = 255;
    private const int MaxExamples = 20;
    private const string LockName = "import";
    private static readonly TimeSpan LockLease = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly string _holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public void Dispose() => _running.Dispose();

    /// <summary>Imports every input file found in <paramref name="directory"/>.</summary>
    /// <exception cref="InputFilesNotFoundException">None of the three files is there.</exception>
    /// <exception cref="ImportInProgressException">Another import, here or in another process, is running.</exception>
    public async Task<ImportSummary> ImportAsync(string directory, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var statusFiles = InputFiles.StatusFiles(directory);
        var hoursFile = InputFiles.HoursFile(directory);
        var timezonesFile = InputFiles.TimezonesFile(directory);
        if (statusFiles.Count == 0 && hoursFile is null && timezonesFile is null)
        {
            throw new InputFilesNotFoundException(directory);
        }

        if (!await _running.WaitAsync(0, cancellationToken))
        {
            throw new ImportInProgressException();
        }

        try
        {
            if (!await appLock.TryAcquireAsync(LockName, _holder, LockLease, cancellationToken))
            {
                throw new ImportInProgressException();
            }

            // The import is long, synchronous work, and on SQLite the lease renewal waits for the
            // import's write transaction to commit. Both get threads of their own, so neither
            // holds a thread-pool thread that requests need (that starved `GET /` for up to a
            // second during a 19-million-row import).
            using var done = new CancellationTokenSource();
            var renewal = Task.Factory.StartNew(() => RenewUntil(done.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                return await Task.Factory.StartNew(
                    () => ImportAll(directory, statusFiles, hoursFile, timezonesFile, progress, cancellationToken),
                    cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            finally
            {
                await done.CancelAsync();
                await renewal;
                await appLock.ReleaseAsync(LockName, _holder);
            }
        }
        finally
        {
            _running.Release();
        }
    }

    private void RenewUntil(CancellationToken done)
    {
        while (!done.WaitHandle.WaitOne(LockLease / 4))
        {
            try
            {
                appLock.RenewAsync(LockName, _holder, LockLease, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (System.Data.Common.DbException)
            {
                // Busy behind the import's own transaction: the next round tries again, and while
                // that transaction is open no other process can write, let alone import.
            }
        }
    }

    private ImportSummary ImportAll(
        string directory, IReadOnlyList<string> statusFiles, string? hoursFile, string? timezonesFile, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        using var connection = database.Open();
        var stores = StoreRegistry.Load(connection);
        var files = new List<FileImportSummary>();
        var missing = new List<string>();

        // Hours and timezones first: they are small, and a report that starts during a long status
        // import then already sees the current schedules.
        if (timezonesFile is null)
        {
            missing.Add(InputFiles.TimezonesName);
        }
        else
        {
            files.Add(ImportFile(connection, stores, InputKind.Timezones, timezonesFile, progress, cancellationToken));
        }

        if (hoursFile is null)
        {
            missing.Add(InputFiles.HoursName);
        }
        else
        {
            files.Add(ImportFile(connection, stores, InputKind.BusinessHours, hoursFile, progress, cancellationToken));
        }

        if (statusFiles.Count == 0)
        {
            missing.Add(InputFiles.StatusName);
        }

        foreach (var statusFile in statusFiles)
        {
            files.Add(ImportFile(connection, stores, InputKind.StoreStatus, statusFile, progress, cancellationToken));
        }

        var summary = new ImportSummary(startedAt, time.GetUtcNow(), directory, files, missing);
        connection.Execute(new CommandDefinition(
            "INSERT INTO import_runs (started_at_us, finished_at_us, succeeded, summary_json) VALUES (@started, @finished, @succeeded, @json)",
            new
            {
                started = UnixMicros.FromDateTimeOffset(summary.StartedAt),
                finished = UnixMicros.FromDateTimeOffset(summary.FinishedAt),
                succeeded = summary.Succeeded ? 1 : 0,
                json = JsonSerializer.Serialize(summary, ImportJson.Options),
            },
            cancellationToken: cancellationToken));
        metrics.ImportFinished(summary);
        return summary;
    }

    private FileImportSummary ImportFile(
        DbConnection connection, StoreRegistry stores, InputKind kind, string path, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        Log.ImportingFile(logger, kind.ToString(), path);
        var stopwatch = Stopwatch.StartNew();
        var file = new FileState(Path.GetFileName(path));
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, Trim = SepTrim.All }).From(stream);
            using var transaction = connection.BeginTransaction();
            try
            {
                var imported = kind switch
                {
                    InputKind.StoreStatus => ImportStatus(connection, transaction, stores, reader, file, Reporter(stream, file, progress), cancellationToken),
                    InputKind.BusinessHours => ImportHours(connection, transaction, stores, reader, file, cancellationToken),
                    _ => ImportTimezones(connection, transaction, stores, reader, file, cancellationToken),
                };
                stores.SaveAdded(connection, transaction);
                transaction.Commit();
                var summary = file.ToSummary(kind, imported, stopwatch.ElapsedMilliseconds, error: null);
                Log.ImportedFile(logger, file.Name, summary.RowsRead, summary.Imported, summary.Rejected, summary.DurationMs);
                return summary;
            }
            catch
            {
                transaction.Rollback();
                stores.DiscardAdded();
                throw;
            }
        }
        catch (Exception ex) when (ex is InvalidInputFileException or IOException or UnauthorizedAccessException or FormatException)
        {
            // An I/O message names the absolute path, and the reason reaches API callers: the log keeps the detail.
            var reason = ex switch { InvalidInputFileException => ex.Message, FormatException => $"cannot be read: {ex.Message}", UnauthorizedAccessException => "cannot be read: permission denied", _ => "cannot be read (an I/O error, logged)" };
            Log.FileRejected(logger, file.Name, $"{reason} ({ex.Message})");
            return file.ToSummary(kind, 0, stopwatch.ElapsedMilliseconds, $"{file.Name}: {reason}");
        }
    }

    private static Action<long> Reporter(FileStream stream, FileState file, IProgress<ImportProgress>? progress)
    {
        // Sep disposes the stream once it has read to the end, so the length is taken now and a
        // closed stream counts as read through (the last report comes after the loop).
        var length = stream.Length;
        return rows => progress?.Report(new ImportProgress(file.Name, rows, length == 0 || !stream.CanSeek ? 1 : (double)stream.Position / length));
    }

    private long ImportStatus(
        DbConnection connection, DbTransaction transaction, StoreRegistry stores, SepReader reader, FileState file, Action<long> report, CancellationToken cancellationToken)
    {
        var columns = RequireColumns(reader, ["store_id"], ["status"], ["timestamp_utc"]);
        int storeColumn = columns[0], statusColumn = columns[1], timeColumn = columns[2];
        var width = reader.Header.ColNames.Count;
        using var loader = database.Dialect.CreateObservationLoader(connection, transaction);
        foreach (var row in reader)
        {
            file.RowsRead++;
            if ((file.RowsRead & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                report(file.RowsRead);
                if ((file.RowsRead & 0x7FFFF) == 0)
                {
                    Log.ImportProgress(logger, file.Name, file.RowsRead);
                }
            }

            if (!file.TryStoreId(row, width, storeColumn, out var storeId))
            {
                continue;
            }

            var statusText = row[statusColumn].Span;
            bool active;
            if (statusText.Equals("active", StringComparison.OrdinalIgnoreCase))
            {
                active = true;
            }
            else if (statusText.Equals("inactive", StringComparison.OrdinalIgnoreCase))
            {
                active = false;
            }
            else
            {
                file.Reject(row.LineNumberFrom, $"unknown status '{statusText}' (expected active or inactive)", row.Span);
                continue;
            }

            var timeText = row[timeColumn].Span;
            if (!TimestampParser.TryParse(timeText, out var observedAt))
            {
                file.Reject(row.LineNumberFrom, $"unparsable timestamp_utc '{timeText}' (expected e.g. 2024-10-03 23:33:20.412748 UTC)", row.Span);
                continue;
            }

            loader.Add(stores.GetOrAdd(storeId), observedAt, active);
        }

        report(file.RowsRead);
        var inserted = loader.Complete();
        file.Unchanged = file.RowsRead - file.RejectedCount - inserted;
        return inserted;
    }

    private static long ImportHours(
        DbConnection connection, DbTransaction transaction, StoreRegistry stores, SepReader reader, FileState file, CancellationToken cancellationToken)
    {
        var columns = RequireColumns(reader, ["store_id"], ["dayOfWeek", "day"], ["start_time_local"], ["end_time_local"]);
        var width = reader.Header.ColNames.Count;
        connection.Execute("DELETE FROM business_hours", transaction: transaction);
        using var insert = new BatchInserter(connection, transaction, "INSERT", "business_hours", ["store_key", "day_of_week", "start_local", "end_local"]);
        foreach (var row in reader)
        {
            file.RowsRead++;
            if ((file.RowsRead & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!file.TryStoreId(row, width, columns[0], out var storeId))
            {
                continue;
            }

            var dayText = row[columns[1]].Span;
            if (!int.TryParse(dayText, out var day) || day is < 0 or > 6)
            {
                file.Reject(row.LineNumberFrom, $"day '{dayText}' is not 0 (Monday) to 6 (Sunday)", row.Span);
                continue;
            }

            if (!LocalTimeText.TryParse(row[columns[2]].Span, out var start))
            {
                file.Reject(row.LineNumberFrom, $"unparsable start_time_local '{row[columns[2]].Span}' (expected HH:MM:SS)", row.Span);
                continue;
            }

            if (!LocalTimeText.TryParse(row[columns[3]].Span, out var end))
            {
                file.Reject(row.LineNumberFrom, $"unparsable end_time_local '{row[columns[3]].Span}' (expected HH:MM:SS)", row.Span);
                continue;
            }

            insert.Add(stores.GetOrAdd(storeId), day, LocalTimeText.Format(start), LocalTimeText.Format(end));
        }

        insert.Flush();
        return insert.Inserted;
    }

    private static long ImportTimezones(
        DbConnection connection, DbTransaction transaction, StoreRegistry stores, SepReader reader, FileState file, CancellationToken cancellationToken)
    {
        var columns = RequireColumns(reader, ["store_id"], ["timezone_str"]);
        var width = reader.Header.ColNames.Count;
        // One zone per store, the file's last word on it; bounded by the number of stores.
        var zones = new Dictionary<int, string>();
        foreach (var row in reader)
        {
            file.RowsRead++;
            if ((file.RowsRead & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!file.TryStoreId(row, width, columns[0], out var storeId))
            {
                continue;
            }

            var zoneText = row[columns[1]].ToString();
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneText) is null)
            {
                file.Reject(row.LineNumberFrom, zoneText.Length == 0
                    ? "empty timezone_str (America/Chicago applies)"
                    : $"unknown timezone '{zoneText}' (America/Chicago applies)", row.Span);
                continue;
            }

            zones[stores.GetOrAdd(storeId)] = zoneText;
        }

        connection.Execute("DELETE FROM store_timezones", transaction: transaction);
        using var insert = new BatchInserter(connection, transaction, "INSERT", "store_timezones", ["store_key", "timezone_str"]);
        foreach (var (key, zone) in zones)
        {
            insert.Add(key, zone);
        }

        insert.Flush();
        file.Unchanged = file.RowsRead - file.RejectedCount - insert.Inserted;
        return insert.Inserted;
    }

    /// <summary>Finds each wanted column (any of its accepted names, case-insensitive) or rejects the whole file.</summary>
    private static int[] RequireColumns(SepReader reader, params string[][] wanted)
    {
        var names = reader.Header.ColNames.Select(n => n.Trim().TrimStart('\uFEFF').Trim()).ToList();
        var indexes = new int[wanted.Length];
        for (var i = 0; i < wanted.Length; i++)
        {
            indexes[i] = names.FindIndex(n => wanted[i].Any(w => string.Equals(n, w, StringComparison.OrdinalIgnoreCase)));
            if (indexes[i] < 0)
            {
                var expected = string.Join(",", wanted.Select(w => string.Join("|", w)));
                var found = names.Count == 0 ? "an empty file" : $"'{string.Join(",", names)}'";
                throw new InvalidInputFileException($"bad header: expected columns {expected}, found {found}; nothing of this file was applied");
            }
        }

        return indexes;
    }

    private sealed class FileState(string name)
    {
        private readonly List<RejectedRow> _examples = [];

        public string Name { get; } = name;

        public long RowsRead { get; set; }

        public long RejectedCount { get; private set; }

        public long Unchanged { get; set; }

        /// <summary>What every kind of row needs: the header's column count and a usable store id; anything else is rejected here.</summary>
        public bool TryStoreId(SepReader.Row row, int width, int storeColumn, out ReadOnlySpan<char> storeId)
        {
            storeId = default;
            if (row.ColCount != width)
            {
                Reject(row.LineNumberFrom, $"expected {width} columns, found {row.ColCount}", row.Span);
                return false;
            }

            storeId = row[storeColumn].Span;
            var problem = storeId.IsEmpty ? "empty store_id"
                : storeId.Length > MaxStoreIdLength ? $"store_id longer than {MaxStoreIdLength} characters"
                : null;
            if (problem is not null)
            {
                Reject(row.LineNumberFrom, problem, row.Span);
                return false;
            }

            return true;
        }

        public void Reject(int line, string reason, ReadOnlySpan<char> text)
        {
            RejectedCount++;
            if (_examples.Count < MaxExamples)
            {
                var shown = text.Length > 200 ? string.Concat(text[..200], "...") : text.ToString();
                _examples.Add(new RejectedRow(line, reason, shown));
            }
        }

        public FileImportSummary ToSummary(InputKind kind, long imported, long durationMs, string? error) =>
            new(kind, Name, RowsRead, imported, Math.Max(0, Unchanged), RejectedCount, durationMs, [.. _examples], error);
    }
}

/// <summary>A file whose shape is wrong as a whole, e.g. its header.</summary>
public sealed class InvalidInputFileException(string message) : Exception(message);

internal static class ImportJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
