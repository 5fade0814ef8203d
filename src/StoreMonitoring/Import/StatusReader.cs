using nietras.SeparatedValues;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Import;

/// <summary>Reads a <c>store_status.csv</c>: polls, validated row by row, into the bulk loader.</summary>
internal static class StatusReader
{
    public static FileOutcome Read(SepReader reader, ImportContext context, RejectedRows rejected, Action<long> progress)
    {
        var columns = CsvInput.RequireColumns(reader, ["store_id"], ["status"], ["timestamp_utc"]);
        int storeColumn = columns[0], statusColumn = columns[1], timeColumn = columns[2];
        var width = reader.Header.ColNames.Count;
        var (from, to) = context.Range;
        using var loader = context.Dialect.CreateObservationLoader(context.Connection, context.Transaction);
        long rows = 0;
        foreach (var row in reader)
        {
            rows++;
            if ((rows & 0xFFFF) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                progress(rows);
            }

            if (!CsvInput.EnsureOneLine(row, rejected) || !CsvInput.TryStoreId(row, width, storeColumn, rejected, out var storeId))
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
                rejected.Add(row, $"unknown status '{Shorten(statusText)}' (expected active or inactive)");
                continue;
            }

            var timeText = row[timeColumn].Span;
            if (!TimestampParser.TryParse(timeText, out var observedAt))
            {
                rejected.Add(row, $"unparsable timestamp_utc '{Shorten(timeText)}' (expected e.g. 2024-10-03 23:33:20.412748 UTC)");
                continue;
            }

            if (observedAt < from || observedAt > to)
            {
                rejected.Add(row, $"timestamp_utc '{Shorten(timeText)}' is {AcceptedInstants.Describe(context.Range)}");
                continue;
            }

            loader.Add(new Observation(context.Stores.GetOrAdd(storeId), observedAt, active, row.LineNumberFrom));
        }

        progress(rows);
        var result = loader.Complete();
        var conflicts = result.ConflictExamples.Select(c => new RejectedRow(
            c.Rejected.Line,
            $"conflicts with the poll already accepted for this store and instant, which says {Status(c.KeptActive)} (the first accepted wins)",
            $"{context.Stores.IdOf(c.Rejected.StoreKey)},{Status(c.Rejected.Active)},{UnixMicros.Format(c.Rejected.ObservedAtUs)}")).ToList();
        return new FileOutcome(rows, result.Inserted, result.Unchanged, result.Conflicts, conflicts);
    }

    private static string Status(bool active) => active ? "active" : "inactive";

    internal static string Shorten(ReadOnlySpan<char> text) => text.Length > 64 ? string.Concat(text[..64], "...") : text.ToString();
}
