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
        var width = reader.Header.ColNames.Count;
        var windows = new HashSet<(int Store, int Day, string Start, string End)>();
        long rows = 0, unchanged = 0;
        foreach (var row in reader)
        {
            rows++;
            if ((rows & 0xFFFF) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            if (!CsvInput.EnsureOneLine(row, rejected) || !CsvInput.TryStoreId(row, width, columns[0], rejected, out var storeId))
            {
                continue;
            }

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

        return Snapshot.Replace(context, "business_hours", rows, rejected, unchanged, windows.Count, insert =>
        {
            foreach (var (store, day, start, end) in windows)
            {
                insert.Add(store, day, start, end);
            }
        }, ["store_key", "day_of_week", "start_local", "end_local"]);
    }
}

/// <summary>The one way a snapshot file replaces a table: never by nothing, and saying what it replaced.</summary>
internal static class Snapshot
{
    public static FileOutcome Replace(
        ImportContext context, string table, long rows, RejectedRows rejected, long unchanged, int valid, Action<BatchInserter> fill, string[] columns,
        long conflicts = 0, IReadOnlyList<RejectedRow>? conflictExamples = null)
    {
        var (connection, transaction) = (context.Connection, context.Transaction);
        var storedRows = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}", transaction: transaction);
        if (valid == 0)
        {
            // An empty or wholly broken snapshot is far likelier a mistake than a wish to forget
            // every store's hours: it is refused, and what is stored stays.
            throw new InvalidInputFileException(
                $"no valid row ({rows:N0} read, {rejected.Count:N0} rejected{FirstReason(rejected)}); the {storedRows:N0} stored rows are kept and nothing of this file was applied");
        }

        var storesBefore = connection.Query<int>($"SELECT DISTINCT store_key FROM {table}", transaction: transaction).ToHashSet();
        StoreProfileCache.Invalidate(connection, transaction);
        connection.Execute($"DELETE FROM {table}", transaction: transaction);
        using (var insert = new BatchInserter(connection, transaction, "INSERT", table, columns))
        {
            fill(insert);
            insert.Flush();
        }

        var storesAfter = connection.Query<int>($"SELECT DISTINCT store_key FROM {table}", transaction: transaction).ToList();
        // New hours or zones change what every affected store's polls mean: its incidents are recomputed whole.
        foreach (var key in storesBefore.Concat(storesAfter))
        {
            context.Touch(key, long.MinValue);
        }

        storesBefore.ExceptWith(storesAfter);
        return new FileOutcome(rows, valid, unchanged, conflicts, conflictExamples ?? [], Replaced: storedRows, Removed: storesBefore.Count);
    }

    private static string FirstReason(RejectedRows rejected) =>
        rejected.Examples.Count == 0 ? "" : $"; line {rejected.Examples[0].Line}: {rejected.Examples[0].Reason}";
}
