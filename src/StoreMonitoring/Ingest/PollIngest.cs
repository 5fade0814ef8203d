using System.Text.Json;
using Microsoft.Extensions.Logging;
using StoreMonitoring.Import;
using StoreMonitoring.Incidents;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Ingest;

/// <summary>How a batch of polls is written: a JSON array, one JSON object per line, or the status file's CSV.</summary>
public enum PollFormat
{
    Json,
    NdJson,
    Csv,
}

/// <summary>A poll that was skipped or not applied: its position in the batch (JSON: 0-based index; NDJSON and CSV: 1-based line), why, and what it said.</summary>
public sealed record RejectedPoll(long? Index, long? Line, string Reason, string Text);

/// <summary>What one batch did.</summary>
public sealed record IngestResult(long Accepted, long Unchanged, long Rejected, long Conflicts, IReadOnlyList<RejectedPoll> RejectedExamples, IReadOnlyList<RejectedPoll> ConflictExamples);

/// <summary>A batch that cannot be taken at all (malformed JSON, too many polls): nothing of it was applied.</summary>
public sealed class InvalidPollBatchException(string message) : Exception(message);

/// <summary>
/// Polls pushed by a poller: the same validation and idempotence as the file import (one rule
/// set, <see cref="StatusReader.TryPoll"/>), written with the stores' incidents kept current in
/// the same transaction, so every instance sees them as soon as the answer is sent.
/// </summary>
public sealed class PollIngest(StoreDatabase database, AcceptedInstants accepted, IncidentUpdater incidents, ConflictRetry retry, ILogger<PollIngest> logger)
{
    public const int MaxPolls = 100_000;
    /// <summary>Writes the batch in <paramref name="body"/> (already in memory, bounded by the caller).</summary>
    public async Task<IngestResult> IngestAsync(ReadOnlyMemory<byte> body, PollFormat format, CancellationToken cancellationToken)
    {
        // Parsing walks spans and the engines' bulk paths are synchronous: one thread of its own.
        return await Task.Factory.StartNew(() => IngestWithRetries(body, format, cancellationToken), cancellationToken, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
    }

    // Another writer won the same rows (on a Galera cluster, a batch through another node for the
    // same polls or the same new stores lost the certification; anywhere, two batches registering
    // the same new stores in another order deadlock): the batch runs again on what it wrote. New
    // store keys come from the database, so they never collide.
    private IngestResult IngestWithRetries(ReadOnlyMemory<byte> body, PollFormat format, CancellationToken cancellationToken) =>
        retry.Run(RetryPolicy.PollBatch, _ => Ingest(body, format, cancellationToken), (attempt, ex) => Log.IngestRetried(logger, attempt, ex.Message), cancellationToken);

    private IngestResult Ingest(ReadOnlyMemory<byte> body, PollFormat format, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var connection = database.Open();
        // Read committed: the incidents are recomputed from what is committed once this batch has
        // its turn on its stores (see IncidentUpdater.TakeTurn), not from the batch's first read.
        using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        // Inside the transaction: new stores are registered in it, and commit or roll back with it.
        using var stores = StoreRegistry.Load(database.Dialect, connection, transaction);
        var context = new ImportContext(connection, transaction, database.Dialect, stores, accepted.Range(), cancellationToken);
        var rejected = new RejectedRows();
        IngestResult result;
        if (format == PollFormat.Csv)
        {
            using var text = new CheckedTextReader(Stream(body), InputFile.MaxLineChars);
            using var reader = CsvInput.Open(text, CsvInput.AllColumns);
            var outcome = StatusReader.Read(reader, context, rejected, _ => { });
            if (outcome.RowsRead > MaxPolls)
            {
                throw new InvalidPollBatchException($"the batch holds {outcome.RowsRead:N0} polls; at most {MaxPolls:N0} are taken at once");
            }

            result = new IngestResult(outcome.Imported, outcome.Unchanged, rejected.Count, outcome.Conflicts,
                [.. rejected.Examples.Select(r => new RejectedPoll(null, r.Line, r.Reason, r.Text))],
                [.. outcome.ConflictExamples.Select(r => new RejectedPoll(null, r.Line, r.Reason, r.Text))]);
        }
        else
        {
            result = JsonPolls.Load(body, format, context, rejected);
        }

        var loaded = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        incidents.Update(connection, transaction, context.Touched);
        transaction.Commit();
        Log.PollsIngested(logger, result.Accepted, result.Unchanged, result.Rejected, result.Conflicts, context.Touched.Count,
            (long)loaded.TotalMilliseconds, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    private static MemoryStream Stream(ReadOnlyMemory<byte> body) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
}

/// <summary>The JSON and NDJSON shapes: objects with <c>store_id</c>, <c>status</c> and <c>timestamp_utc</c>.</summary>
internal static class JsonPolls
{
    public static IngestResult Load(ReadOnlyMemory<byte> body, PollFormat format, ImportContext context, RejectedRows rejected)
    {
        using var loader = context.Dialect.CreateObservationLoader(context.Connection, context.Transaction);
        context.Stores.SharingWith = loader;
        var json = format == PollFormat.Json;
        foreach (var (position, item, error) in json ? Array(body) : Lines(body))
        {
            string storeId = "";
            bool active = false;
            long at = 0;
            var problem = error ?? Check(item, context, out storeId, out active, out at);
            if (problem is not null)
            {
                rejected.Add(position, problem, RawText(item));
                continue;
            }

            var key = context.Stores.GetOrAdd(storeId);
            context.Touch(key, at);
            loader.Add(new Observation(key, at, active, position));
        }

        var result = loader.Complete();
        RejectedPoll At(long position, string reason, string text) => json ? new(position, null, reason, text) : new(null, position, reason, text);
        return new IngestResult(result.Inserted, result.Unchanged, rejected.Count, result.Conflicts,
            [.. rejected.Examples.Select(r => At(r.Line, r.Reason, r.Text))],
            [.. StatusReader.Conflicts(result, context.Stores).Select(r => At(r.Line, r.Reason, r.Text))]);
    }

    /// <summary>The item as sent, for a rejection; one that cannot become text at all is described instead.</summary>
    private static string RawText(JsonElement item)
    {
        if (item.ValueKind == JsonValueKind.Undefined)
        {
            return "";
        }

        try
        {
            return item.GetRawText();
        }
        catch (InvalidOperationException)
        {
            return "(not shown: not valid UTF-8)";
        }
    }

    private static string? Check(JsonElement item, ImportContext context, out string storeId, out bool active, out long at)
    {
        try
        {
            return CheckFields(item, context, out storeId, out active, out at);
        }
        catch (InvalidOperationException)
        {
            // JsonDocument keeps strings as the bytes sent and transcodes them only when read: a
            // string of invalid UTF-8, or an escape of half a surrogate pair (\uD800), cannot become text.
            (storeId, active, at) = ("", false, 0);
            return "a string is not valid Unicode (invalid UTF-8 bytes, or a lone surrogate escape such as \\uD800)";
        }
    }

    private static string? CheckFields(JsonElement item, ImportContext context, out string storeId, out bool active, out long at)
    {
        (storeId, active, at) = ("", false, 0);
        if (item.ValueKind != JsonValueKind.Object)
        {
            return "not an object with store_id, status and timestamp_utc";
        }

        string? Text(string name) => item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (Text("store_id") is not { } id || Text("status") is not { } status || Text("timestamp_utc") is not { } time)
        {
            return "store_id, status and timestamp_utc must each be a string";
        }

        storeId = id;
        return Stores.StoreIds.Problem(id) ?? StatusReader.TryPoll(status, time, context.Range, out active, out at);
    }

    private static IEnumerable<(long Position, JsonElement Item, string? Error)> Array(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException ex)
        {
            throw new InvalidPollBatchException($"the body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): send an array of polls");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidPollBatchException("the body must be a JSON array of polls");
            }

            if (document.RootElement.GetArrayLength() > PollIngest.MaxPolls)
            {
                throw new InvalidPollBatchException($"the batch holds {document.RootElement.GetArrayLength():N0} polls; at most {PollIngest.MaxPolls:N0} are taken at once");
            }

            var index = 0L;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                yield return (index++, item, null);
            }
        }
    }

    private static IEnumerable<(long Position, JsonElement Item, string? Error)> Lines(ReadOnlyMemory<byte> body)
    {
        var line = 0L;
        var rest = body;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var text = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            line++;
            if (line > PollIngest.MaxPolls)
            {
                throw new InvalidPollBatchException($"the batch holds more than {PollIngest.MaxPolls:N0} polls; at most {PollIngest.MaxPolls:N0} are taken at once");
            }

            if (text.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            JsonDocument? document = null;
            string? error = null;
            try
            {
                document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
            }
            catch (JsonException)
            {
                error = "not valid JSON";
            }

            using (document)
            {
                yield return (line, document?.RootElement ?? default, error);
            }
        }
    }
}
