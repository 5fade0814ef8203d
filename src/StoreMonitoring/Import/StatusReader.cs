using nietras.SeparatedValues;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Import;

/// <summary>Reads a <c>store_status.csv</c>: polls, validated row by row, into the bulk loader.</summary>
internal static class StatusReader
{
    /// <summary>The columns a status file must have, each with its accepted names.</summary>
    public static readonly string[][] Columns = [["store_id"], ["status"], ["timestamp_utc"]];

    /// <param name="commitEvery">0: the whole file goes into <paramref name="context"/>'s transaction; otherwise, after every this many accepted polls, <paramref name="commit"/> commits them and returns the context of the next chunk.</param>
    public static FileOutcome Read(
        SepReader reader, ImportContext context, RejectedRows rejected, Action<long> progress, long commitEvery = 0, Func<ImportContext, ImportContext>? commit = null)
    {
        var columns = CsvInput.RequireColumns(reader, Columns);
        int storeColumn = columns[0], statusColumn = columns[1], timeColumn = columns[2];
        var width = reader.Header.ColNames.Count;
        var loader = context.Dialect.CreateObservationLoader(context.Connection, context.Transaction);
        context.Stores.SharingWith = loader;
        var total = new Totals();
        try
        {
            long rows = 0, accepted = 0;
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

                var problem = TryPoll(row[statusColumn].Span, row[timeColumn].Span, context.Range, out var active, out var observedAt);
                if (problem is not null)
                {
                    rejected.Add(row, problem);
                    continue;
                }

                var key = context.Stores.GetOrAdd(storeId);
                context.Touch(key, observedAt);
                loader.Add(new Observation(key, observedAt, active, row.LineNumberFrom));
                if (commit is not null && ++accepted % commitEvery == 0)
                {
                    // The loader's rows must be in before its transaction commits.
                    total.Add(loader.Complete());
                    loader.Dispose();
                    loader = null;
                    context = commit(context);
                    loader = context.Dialect.CreateObservationLoader(context.Connection, context.Transaction);
                    context.Stores.SharingWith = loader;
                }
            }

            progress(rows);
            total.Add(loader.Complete());
            return new FileOutcome(rows, total.Inserted, total.Unchanged, total.Conflicts, Conflicts(total.Examples, context.Stores));
        }
        finally
        {
            context.Stores.SharingWith = null;
            loader?.Dispose();
        }
    }

    /// <summary>The loads of a file's chunks, added up.</summary>
    private sealed class Totals
    {
        public long Inserted { get; private set; }

        public long Unchanged { get; private set; }

        public long Conflicts { get; private set; }

        public List<ObservationConflict> Examples { get; } = [];

        public void Add(ObservationLoadResult result)
        {
            Inserted += result.Inserted;
            Unchanged += result.Unchanged;
            Conflicts += result.Conflicts;
            Examples.AddRange(result.ConflictExamples.Take(RejectedRows.MaxExamples - Examples.Count));
        }
    }

    /// <summary>The rules a poll's status and time must meet, wherever the poll comes from; null when it does.</summary>
    public static string? TryPoll(ReadOnlySpan<char> statusText, ReadOnlySpan<char> timeText, TimeRange range, out bool active, out long observedAt)
    {
        observedAt = 0;
        active = statusText.Equals("active", StringComparison.OrdinalIgnoreCase);
        if (!active && !statusText.Equals("inactive", StringComparison.OrdinalIgnoreCase))
        {
            return $"unknown status '{Shorten(statusText)}' (expected active or inactive)";
        }

        if (!TimestampParser.TryParse(timeText, out observedAt))
        {
            return $"unparsable timestamp_utc '{Shorten(timeText)}' (expected e.g. 2024-10-03 23:33:20.412748 UTC)";
        }

        return !range.Contains(observedAt) ? $"timestamp_utc '{Shorten(timeText)}' is {AcceptedInstants.Describe(range)}" : null;
    }

    internal static List<RejectedRow> Conflicts(ObservationLoadResult result, StoreRegistry stores) => Conflicts(result.ConflictExamples, stores);

    // In line order: which loader chunk (or commit) found a conflict does not change where it is shown.
    private static List<RejectedRow> Conflicts(IEnumerable<ObservationConflict> examples, StoreRegistry stores) =>
        [.. examples.OrderBy(c => c.Rejected.Line).Select(c => new RejectedRow(
            c.Rejected.Line,
            $"conflicts with the poll already accepted for this store and instant, which says {Status(c.KeptActive)} (the first accepted wins)",
            $"{stores.IdOf(c.Rejected.StoreKey)},{Status(c.Rejected.Active)},{UnixMicros.Format(c.Rejected.ObservedAtUs)}"))];

    private static string Status(bool active) => active ? "active" : "inactive";

    internal static string Shorten(ReadOnlySpan<char> text) => text.Length > 64 ? string.Concat(text[..64], "...") : text.ToString();
}
