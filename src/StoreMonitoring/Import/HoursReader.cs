using Dapper;
using nietras.SeparatedValues;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Import;

/// <summary>Reads a business-hours file: a snapshot that replaces every store's stored hours.</summary>
internal static class HoursReader
{
    public static FileOutcome Read(SepReader reader, ImportContext context, RejectedRows rejected)
    {
        var columns = CsvInput.RequireColumns(reader, ["store_id"], ["dayOfWeek", "day"], ["start_time_local"], ["end_time_local"]);
        var windows = new HashSet<(int Store, int Day, string Start, string End)>();
        var rows = new SnapshotRows(reader, columns[0], context, rejected);
        long unchanged = 0;
        while (rows.Next(out var row, out var storeId))
        {
            var dayText = row[columns[1]].Span;
            if (!int.TryParse(dayText, out var day) || day is < 0 or > 6)
            {
                rejected.Add(row, $"day '{StatusReader.Shorten(dayText)}' is not 0 (Monday) to 6 (Sunday)");
                continue;
            }

            if (!LocalTimeText.TryParse(row[columns[2]].Span, out var start))
            {
                rejected.Add(row, $"unparsable start_time_local '{StatusReader.Shorten(row[columns[2]].Span)}' (expected HH:MM:SS, 00:00:00 to 24:00:00)");
                continue;
            }

            if (!LocalTimeText.TryParse(row[columns[3]].Span, out var end))
            {
                rejected.Add(row, $"unparsable end_time_local '{StatusReader.Shorten(row[columns[3]].Span)}' (expected HH:MM:SS, 00:00:00 to 24:00:00)");
                continue;
            }

            if (!windows.Add((context.Stores.GetOrAdd(storeId), day, LocalTimeText.Format(start), LocalTimeText.Format(end))))
            {
                unchanged++;
            }
        }

        return Snapshot.Replace(context, "business_hours", rows.Count, rows.LastLine, rejected, unchanged, windows.Count, windows.Select(w => w.Store).ToHashSet(), insert =>
        {
            foreach (var (store, day, start, end) in windows)
            {
                insert.Add(store, day, start, end);
            }
        }, ["store_key", "day_of_week", "start_local", "end_local"]);
    }
}

/// <summary>
/// A snapshot file's rows as its reader walks them: counted, with a check for cancellation now and
/// then, and each row that is on one line, as wide as the header and with a usable store id handed
/// on; the others are rejected with why.
/// </summary>
internal sealed class SnapshotRows(SepReader reader, int storeColumn, ImportContext context, RejectedRows rejected)
{
    private readonly int _width = reader.Header.ColNames.Count;

    /// <summary>The rows read so far, rejected ones included.</summary>
    public long Count { get; private set; }

    /// <summary>The line of the last row read (0: none).</summary>
    public long LastLine { get; private set; }

    /// <summary>The next usable row and its store id; false at the end of the file.</summary>
    public bool Next(out SepReader.Row row, out ReadOnlySpan<char> storeId)
    {
        while (reader.MoveNext())
        {
            row = reader.Current;
            Count++;
            LastLine = row.LineNumberFrom;
            if ((Count & 0xFFFF) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            if (CsvInput.EnsureOneLine(row, rejected) && CsvInput.TryStoreId(row, _width, storeColumn, rejected, out storeId))
            {
                return true;
            }
        }

        row = default;
        storeId = default;
        return false;
    }
}

/// <summary>
/// The one way a snapshot file replaces a table: never by nothing, never by a file that was
/// clearly cut short or would wipe out most of what is stored (unless the caller says it means
/// it), and saying what it replaced.
/// </summary>
internal static class Snapshot
{
    public const string AllowShrinkHint = "if that is meant, import again with allow_shrink=true (POST /import_data?allow_shrink=true, storemon import --allow-shrink)";

    public static FileOutcome Replace(
        ImportContext context, string table, long rows, long lastLine, RejectedRows rejected, long unchanged, int valid, IReadOnlySet<int> storesInFile,
        Action<BatchInserter> fill, string[] columns, long conflicts = 0, IReadOnlyList<RejectedRow>? conflictExamples = null)
    {
        var (connection, transaction) = (context.Connection, context.Transaction);
        var storedPerStore = connection.Query<(int Key, long Rows)>($"SELECT store_key, COUNT(*) FROM {table} GROUP BY store_key", transaction: transaction)
            .ToDictionary(r => r.Key, r => r.Rows);
        var storedRows = storedPerStore.Values.Sum();
        if (valid == 0)
        {
            // An empty or wholly broken snapshot is far likelier a mistake than a wish to forget
            // every store's hours: it is refused, and what is stored stays.
            throw new InvalidInputFileException(
                $"no valid row ({rows:N0} read, {rejected.Count:N0} rejected{FirstReason(rejected)}); the {storedRows:N0} stored rows are kept and nothing of this file was applied");
        }

        if (lastLine > 0 && rejected.LastLine == lastLine && context.EndsInsideLine())
        {
            // No final newline and a last record that does not parse: the file was cut off (a
            // copy still running, a full disk at export). Applying the rest would drop the stores
            // after the cut.
            throw new InvalidInputFileException(
                $"line {lastLine}: the last line is cut off (no final newline, and the record is incomplete: {rejected.Examples.LastOrDefault(e => e.Line == lastLine)?.Reason ?? "it does not parse"}); "
                + $"the file looks truncated, so the {storedRows:N0} stored rows are kept and nothing of this file was applied");
        }

        var removedStores = storedPerStore.Keys.Where(k => !storesInFile.Contains(k)).ToList();
        var removedRows = removedStores.Sum(k => storedPerStore[k]);
        if (!context.AllowShrink && removedRows * 2 > storedRows)
        {
            throw new InvalidInputFileException(
                $"would remove {removedRows:N0} of the {storedRows:N0} stored rows at once (the {removedStores.Count:N0} of {storedPerStore.Count:N0} stores it no longer lists), "
                + $"which looks like an incomplete file; nothing of this file was applied: {AllowShrinkHint}");
        }

        StoreProfileCache.Invalidate(connection, transaction);
        connection.Execute($"DELETE FROM {table}", transaction: transaction);
        using (var insert = new BatchInserter(connection, transaction, "INSERT", table, columns))
        {
            fill(insert);
            insert.Flush();
        }

        // New hours or zones change what every affected store's polls mean: its incidents are recomputed whole.
        foreach (var key in storedPerStore.Keys.Concat(storesInFile))
        {
            context.TouchWhole(key);
        }

        return new FileOutcome(rows, valid, unchanged, conflicts, conflictExamples ?? [], Replaced: storedRows, Removed: removedStores.Count);
    }

    private static string FirstReason(RejectedRows rejected) =>
        rejected.Examples.Count == 0 ? "" : $"; line {rejected.Examples[0].Line}: {rejected.Examples[0].Reason}";
}
