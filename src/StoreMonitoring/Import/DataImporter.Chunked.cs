using System.Data.Common;
using System.Diagnostics;

namespace StoreMonitoring.Import;

public sealed partial class DataImporter
{
    /// <summary>
    /// Imports a status file in transactions of <see cref="ImportOptions.CommitEveryRows"/> accepted
    /// polls each, so that no write set (a Galera cluster replicates each whole) grows with the file.
    /// </summary>
    /// <remarks>
    /// A file refused as a whole must still apply nothing, so the file is first read once for its
    /// structure alone (header, encoding, line lengths, quotes, unchanged while read) with no field
    /// parsed and nothing written, then read again for the import. Each chunk commits its polls, the
    /// stores it registered, its stores' incidents and the lease's renewal: every commit is consistent.
    /// A failure after the first commit (a crash, a lost lease, the file rewritten) leaves the
    /// committed chunks; importing the same file again counts them as unchanged.
    /// </remarks>
    private FileOutcome ImportInChunks(
        DbConnection connection, StoreRegistry stores, string directory, string path, RejectedRows rejected, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var commitEvery = options.Value.Import.CommitEveryRows;
        using var checkedFile = InputFile.Open(directory, path);
        var checkTime = Stopwatch.StartNew();
        CheckStructure(checkedFile, cancellationToken);
        Log.StructureChecked(logger, name, checkTime.ElapsedMilliseconds);

        using var file = InputFile.Open(directory, path);
        if (!file.SameVersionAs(checkedFile))
        {
            throw new InvalidInputFileException("changed between its check and its import; nothing of this file was applied, import it again once it is complete");
        }

        using var reader = CsvInput.Open(file.Reader, CsvInput.AllColumns);
        var range = accepted.Range();
        long committed = 0;
        var chunk = Begin();
        try
        {
            var outcome = StatusReader.Read(reader, chunk, rejected, rows => progress?.Report(new ImportProgress(name, rows, file.Fraction)), commitEvery, done =>
            {
                file.EnsureNotRewritten();
                CommitChunk(done, name, committed + commitEvery);
                committed += commitEvery;
                chunk = Begin();
                return chunk;
            });
            file.EnsureUnchanged();
            CommitChunk(chunk, name, outcome.Imported + outcome.Unchanged + outcome.Conflicts);
            return outcome;
        }
        catch (Exception ex)
        {
            // A chunk's transaction is gone once committed (then it is its successor that failed to begin).
            if (chunk.Transaction.Connection is not null)
            {
                chunk.Transaction.Rollback();
            }

            chunk.Transaction.Dispose();
            stores.DiscardAdded();
            if (committed > 0 && ex is not (DbException or OperationCanceledException or ImportInProgressException))
            {
                // The usual "nothing of this file was applied" would not be true any more.
                if (ex is not InvalidInputFileException)
                {
                    Log.FileUnreadable(logger, ex, name);
                }

                var reason = ex is InvalidInputFileException ? ex.Message.Split("; nothing of this file was applied")[0] : $"cannot be read ({ex.GetType().Name}, logged)";
                throw new InvalidInputFileException(
                    $"{reason}; {committed:N0} polls of it were committed in chunks before, import it again once it is complete (they then count as unchanged)");
            }

            throw;
        }

        ImportContext Begin()
        {
            var transaction = connection.BeginTransaction();
            try
            {
                stores.Begin(connection, transaction);
            }
            catch
            {
                transaction.Dispose();
                throw;
            }

            return new ImportContext(connection, transaction, database.Dialect, stores, range, cancellationToken);
        }
    }

    private void CommitChunk(ImportContext chunk, string name, long polls)
    {
        incidents.Owe(chunk.Connection, chunk.Transaction, chunk.Touched.Keys);
        if (!appLock.RenewWithin(chunk.Connection, chunk.Transaction, LockName, _holder, Lease))
        {
            throw new ImportInProgressException();
        }

        chunk.Transaction.Commit();
        chunk.Transaction.Dispose();
        _committedOfFile = $"{name} (in part: up to {polls:N0} polls, which count as unchanged when it is imported again)";
        Log.ChunkCommitted(logger, name, polls);
        // Not a bulk recompute: each chunk of a time-ordered file touches most stores, and
        // recomputing them whole would reread every poll before it once per chunk.
        UpdateIncidents(chunk.Connection, name, chunk.Touched, bulk: false, chunk.CancellationToken);
    }

    /// <summary>Reads the whole file for what makes it refused as a whole, and nothing else.</summary>
    private static void CheckStructure(InputFile file, CancellationToken cancellationToken)
    {
        using var reader = CsvInput.Open(file.Reader, CsvInput.AllColumns);
        CsvInput.RequireColumns(reader, StatusReader.Columns);
        long rows = 0;
        foreach (var row in reader)
        {
            if ((++rows & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            CsvInput.EnsureNoRunawayQuote(row);
        }

        file.EnsureUnchanged();
    }
}
