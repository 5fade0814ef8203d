using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StoreMonitoring.Incidents;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Import;

/// <summary>Progress of a running import, for a CLI progress line or a log.</summary>
public readonly record struct ImportProgress(string File, long RowsRead, double Fraction);

/// <summary>
/// One import run: takes the database-wide import lease, imports each input file in a transaction
/// of its own (a file that fails is applied not at all, the others are unaffected; a status file
/// may commit in chunks, see <see cref="ImportOptions.CommitEveryRows"/>) and records the run with its summary.
/// </summary>
public sealed partial class DataImporter(
    StoreDatabase database,
    AppLock appLock,
    AcceptedInstants accepted,
    IncidentUpdater incidents,
    ConflictRetry retry,
    TimeProvider time,
    IOptions<StoreMonitoringOptions> options,
    ILogger<DataImporter> logger,
    Telemetry.StoreMonitoringMetrics metrics,
    IEnumerable<IImportObserver> importObservers)
    : IDisposable
{
    private const string LockName = "import";

    private readonly SemaphoreSlim _running = new(1, 1);

    // What the file being imported has committed so far (null: nothing), for the answer to a full
    // disk; one import runs at a time in this process.
    private string? _committedOfFile;
    private readonly string _holder = WorkerIds.New();

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.Import.LeaseSeconds);

    public void Dispose() => _running.Dispose();

    /// <summary>Imports every input file found in <paramref name="directory"/>.</summary>
    /// <exception cref="InputFilesNotFoundException">None of the three files is there.</exception>
    /// <exception cref="ImportInProgressException">Another import, here or in another process, is running.</exception>
    /// <exception cref="ImportStorageFullException">The database ran out of space; the files committed before are named.</exception>
    public Task<ImportSummary> ImportAsync(string directory, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ImportAsync(directory, allowShrink: false, progress, cancellationToken);

    /// <inheritdoc cref="ImportAsync(string, IProgress{ImportProgress}?, CancellationToken)"/>
    /// <param name="allowShrink">Apply a snapshot file even when it would remove most of the stored rows.</param>
    public async Task<ImportSummary> ImportAsync(string directory, bool allowShrink, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var files = InputFiles.Find(directory);
        if (files.Count == 0)
        {
            throw new InputFilesNotFoundException(directory);
        }

        // The import is long, synchronous work (Sep's rows are spans): a thread of its own keeps the
        // pool free for requests.
        var (ran, summary) = await UnderImportLeaseAsync(ct => ImportAll(directory, files, progress, allowShrink, ct), cancellationToken);
        return ran ? summary! : throw new ImportInProgressException();
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own while this process holds the import
    /// lease (one at a time here, and across every process on the database); false when another
    /// import holds it.
    /// </summary>
    private async Task<(bool Ran, T? Result)> UnderImportLeaseAsync<T>(Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        if (!await _running.WaitAsync(0, cancellationToken))
        {
            return (false, default);
        }

        try
        {
            if (!await appLock.TryAcquireAsync(LockName, _holder, Lease, cancellationToken))
            {
                return (false, default);
            }

            try
            {
                await using var lease = LeaseKeeper.Start(ct => appLock.RenewAsync(LockName, _holder, Lease, ct), Lease, time, cancellationToken);
                return (true, await Task.Factory.StartNew(() => work(lease.Token), lease.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }
            finally
            {
                await appLock.ReleaseAsync(LockName, _holder);
            }
        }
        finally
        {
            _running.Release();
        }
    }

    private ImportSummary ImportAll(string directory, InputFiles.Found found, IProgress<ImportProgress>? progress, bool allowShrink, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        using var connection = database.Open();
        SettleBacklog(connection, cancellationToken);
        using var stores = StoreRegistry.Load(database.Dialect, connection);
        var files = new List<FileImportSummary>();
        // Hours and time zones first: they are small, and a report that starts during a long
        // status import then already sees the current schedules.
        foreach (var (kind, path) in found.InOrder())
        {
            // A lost write conflict (on a Galera cluster: polls ingested through another node for
            // the same stores won the certification; anywhere: a deadlock with a poll batch
            // registering the same new stores) rolled the file's open transaction back, so
            // reading it again is safe; in chunks, what committed before then counts as unchanged.
            try
            {
                files.Add(retry.Run(
                    RetryPolicy.ImportFile,
                    _ =>
                    {
                        _committedOfFile = null;
                        return ImportFile(connection, stores, kind, directory, path, progress, allowShrink, cancellationToken);
                    },
                    (attempt, ex) => Log.ImportRetried(logger, Path.GetFileName(path), attempt, ex.Message),
                    cancellationToken));
            }
            catch (DbException ex) when (database.Dialect.IsStorageFull(ex))
            {
                // Nothing more can be written, not even the run's record: the answer names what is in.
                Log.StorageFull(logger, ex, Path.GetFileName(path));
                throw new ImportStorageFullException(
                    Path.GetFileName(path),
                    [.. files.Where(f => f.Succeeded && f.Skipped is null).Select(f => f.File), .. _committedOfFile is { } partly ? [partly] : Array.Empty<string>()],
                    ex);
            }
        }

        var summary = new ImportSummary(startedAt, time.GetUtcNow(), directory, files, found.Missing, found.Ignored);
        // The run's record and what observers write about it (an import.completed event) commit together.
        using var transaction = connection.BeginTransaction();
        connection.Execute(new CommandDefinition(
            "INSERT INTO import_runs (started_at_us, finished_at_us, succeeded, summary_json) VALUES (@started, @finished, @succeeded, @json)",
            new
            {
                started = UnixMicros.FromDateTimeOffset(summary.StartedAt),
                finished = UnixMicros.FromDateTimeOffset(summary.FinishedAt),
                succeeded = summary.Succeeded ? 1 : 0,
                json = JsonSerializer.Serialize(summary, ImportJson.Options),
            },
            transaction,
            cancellationToken: cancellationToken));
        foreach (var observer in importObservers)
        {
            observer.OnCompleted(connection, transaction, summary);
        }

        transaction.Commit();
        metrics.ImportFinished(summary);
        return summary;
    }

    /// <summary>
    /// Recomputes the incidents an import still owed when it stopped (see
    /// <see cref="IncidentUpdater.UpdateInTurns"/>), unless an import is running now (it settles
    /// them itself): how many stores, or null when an import held the lease.
    /// </summary>
    public async Task<int?> SettleIncidentBacklogAsync(CancellationToken cancellationToken = default)
    {
        // Nearly always nothing is owed: then no lease is taken, and no import is turned away meanwhile.
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            if (await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COUNT(*) FROM (SELECT 1 FROM incident_backlog LIMIT 1) t", cancellationToken: cancellationToken)) == 0)
            {
                return 0;
            }
        }

        // Under the import's lease, and its own process's turn: an import running here holds the
        // same lease, which this must neither share nor release.
        var (ran, settled) = await UnderImportLeaseAsync(
            ct =>
            {
                using var connection = database.Open();
                return SettleBacklog(connection, ct);
            },
            cancellationToken);
        return ran ? settled : null;
    }

    private int SettleBacklog(DbConnection connection, CancellationToken cancellationToken)
    {
        var settled = incidents.SettleBacklog(connection, cancellationToken);
        if (settled > 0)
        {
            Log.IncidentBacklogSettled(logger, settled);
        }

        return settled;
    }

    private void UpdateIncidents(DbConnection connection, string name, Dictionary<int, long?> touched, bool bulk, CancellationToken cancellationToken)
    {
        var incidentTime = Stopwatch.StartNew();
        incidents.UpdateInTurns(connection, touched, bulk, cancellationToken);
        Log.IncidentsUpdated(logger, name, touched.Count, incidentTime.ElapsedMilliseconds);
    }

    private FileImportSummary ImportFile(
        DbConnection connection, StoreRegistry stores, InputKind kind, string directory, string path, IProgress<ImportProgress>? progress, bool allowShrink, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        Log.ImportingFile(logger, kind.ToString(), name);
        var stopwatch = Stopwatch.StartNew();
        var rejected = new RejectedRows();
        try
        {
            if (kind == InputKind.StoreStatus && options.Value.Import.CommitEveryRows > 0)
            {
                return Imported(kind, name, ImportInChunks(connection, stores, directory, path, rejected, progress, cancellationToken), rejected, stopwatch);
            }

            using var file = InputFile.Open(directory, path);
            var snapshot = kind == InputKind.StoreStatus ? null : SnapshotFiles.Hash(file);
            if (snapshot is not null && SnapshotFiles.Applied(connection, kind, snapshot) is { } same)
            {
                return Skipped(kind, name, same, stopwatch);
            }

            using var reader = CsvInput.Open(file.Reader, CsvInput.AllColumns);
            using var transaction = connection.BeginTransaction();
            try
            {
                stores.Begin(connection, transaction);
                var context = new ImportContext(connection, transaction, database.Dialect, stores, accepted.Range(), cancellationToken)
                {
                    AllowShrink = allowShrink,
                    EndsInsideLine = () => file.Reader.EndsInsideLine,
                };
                var outcome = kind switch
                {
                    InputKind.StoreStatus => StatusReader.Read(reader, context, rejected, rows => progress?.Report(new ImportProgress(name, rows, file.Fraction))),
                    InputKind.BusinessHours => HoursReader.Read(reader, context, rejected),
                    _ => TimezonesReader.Read(reader, context, rejected),
                };
                file.EnsureUnchanged();
                if (snapshot is not null)
                {
                    SnapshotFiles.Record(connection, transaction, kind, snapshot, name, outcome.RowsRead, rejected.Count, UnixMicros.FromDateTimeOffset(time.GetUtcNow()));
                }

                incidents.Owe(connection, transaction, context.Touched.Keys);
                // Committed only while the lease is still this import's, and renewed by the commit.
                if (!appLock.RenewWithin(connection, transaction, LockName, _holder, Lease))
                {
                    throw new ImportInProgressException();
                }

                transaction.Commit();
                _committedOfFile = $"{name} (its incidents are brought up to date by the next import)";
                UpdateIncidents(connection, name, context.Touched, bulk: true, cancellationToken);
                return Imported(kind, name, outcome, rejected, stopwatch);
            }
            catch
            {
                stores.DiscardAdded();
                try
                {
                    transaction.Rollback();
                }
                catch (InvalidOperationException)
                {
                    // A commit that failed (on a Galera cluster, a lost certification) already ended
                    // the transaction: the commit's error is the one that counts, and is retried.
                }

                throw;
            }
        }
        catch (Exception ex) when (ex is not (DbException or OperationCanceledException or ImportInProgressException))
        {
            // Whatever the file did to the reader (its header, encoding, a runaway quote, a read
            // error), the answer names the file and why, and the other files go on.
            // An I/O message names the absolute path, and the reason reaches API callers: the log keeps the detail.
            var reason = ex switch
            {
                InvalidInputFileException => ex.Message,
                UnauthorizedAccessException => "cannot be read: permission denied; nothing of this file was applied",
                _ => $"cannot be read ({ex.GetType().Name}, logged); nothing of this file was applied",
            };
            if (ex is not InvalidInputFileException)
            {
                Log.FileUnreadable(logger, ex, name);
            }

            Log.FileRejected(logger, name, reason);
            return new FileImportSummary(kind, name, 0, 0, 0, rejected.Count, 0, stopwatch.ElapsedMilliseconds, rejected.Examples, [], null, null, $"{name}: {reason}");
        }
    }

    private FileImportSummary Skipped(InputKind kind, string name, SnapshotFiles.AppliedFile same, Stopwatch stopwatch)
    {
        var reason = $"identical to the {same.FileName} applied at {UnixMicros.Format(same.AppliedAtUs)}: not applied again, so the stored rows (and any edit made since through PUT /stores/{{id}}/...) stay as they are";
        Log.SnapshotSkipped(logger, name);
        return new FileImportSummary(kind, name, same.RowsRead, 0, same.RowsRead - same.Rejected, same.Rejected, 0, stopwatch.ElapsedMilliseconds, [], [], 0, 0, Error: null, Skipped: reason);
    }

    private FileImportSummary Imported(InputKind kind, string name, FileOutcome outcome, RejectedRows rejected, Stopwatch stopwatch)
    {
        var summary = new FileImportSummary(kind, name, outcome.RowsRead, outcome.Imported, outcome.Unchanged, rejected.Count, outcome.Conflicts,
            stopwatch.ElapsedMilliseconds, rejected.Examples, outcome.ConflictExamples, outcome.Replaced, outcome.Removed, Error: null);
        Log.ImportedFile(logger, name, summary.RowsRead, summary.Imported, summary.Rejected, summary.DurationMs);
        return summary;
    }
}

internal static class ImportJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
