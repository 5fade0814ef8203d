using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Reports;

/// <summary>
/// Computes a report from the database: one ordered read of the polls, one store at a time through
/// <see cref="StoreReport.Compute"/>, so memory holds one store's polls, never the table. Rows come
/// out in batches; whoever consumes them (the job runner, the CLI) writes them outside the read.
/// </summary>
public sealed class ReportCalculator(StoreDatabase database, StoreProfileCache profileCache, IOptions<StoreMonitoringOptions> options)
{
    /// <summary>The latest poll over all stores: the default end of the report's windows.</summary>
    public async Task<long?> LatestObservationAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(database.Dialect.LatestObservationQuery, cancellationToken: cancellationToken));
    }

    /// <summary>The stores a report at <paramref name="now"/> has a row for: those with a poll at or before it.</summary>
    public async Task<int> CountStoresAsync(long now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // An index probe per store, not a scan of the table (every poll's store is registered in
        // `stores` by the same transaction that stores the poll).
        const string sql = "SELECT COUNT(*) FROM stores s WHERE EXISTS (SELECT 1 FROM store_status o WHERE o.store_key = s.store_key AND o.observed_at_us <= @now)";
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { now }, cancellationToken: cancellationToken));
    }

    /// <summary>The keys of the stores a report at <paramref name="now"/> has a row for, ascending: what its shards split.</summary>
    public async Task<IReadOnlyList<int>> StoreKeysAsync(long now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = "SELECT s.store_key FROM stores s WHERE EXISTS (SELECT 1 FROM store_status o WHERE o.store_key = s.store_key AND o.observed_at_us <= @now) ORDER BY s.store_key";
        return [.. await connection.QueryAsync<int>(new CommandDefinition(sql, new { now }, cancellationToken: cancellationToken))];
    }

    /// <summary>Computes one shard's rows: a range of stores, small enough to hold and save at once.</summary>
    public Task<List<StoreReportRow>> ComputeShardAsync(EstimationMethod method, long now, StoreKeyRange stores, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(
            () =>
            {
                var rows = new List<StoreReportRow>();
                Compute(method, now, stores, rows.AddRange, cancellationToken);
                return rows;
            },
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Streams the report's rows in batches, in store-key order (not store-id order). The read and
    /// the maths run on a thread of their own, a batch or two ahead of the consumer.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<StoreReportRow>> ComputeAsync(
        EstimationMethod method, long now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var batches = Channel.CreateBounded<IReadOnlyList<StoreReportRow>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Factory.StartNew(
            () => Produce(method, now, batches.Writer, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken))
            {
                yield return batch;
            }

            await producer;
        }
        finally
        {
            // A consumer that stops early (lost lease, shutdown) stops the read too.
            await stop.CancelAsync();
            await producer.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void Produce(EstimationMethod method, long now, ChannelWriter<IReadOnlyList<StoreReportRow>> output, CancellationToken cancellationToken)
    {
        try
        {
            Compute(method, now, StoreKeyRange.All, batch => Write(output, batch, cancellationToken), cancellationToken);
            output.Complete();
        }
        catch (Exception ex)
        {
            output.Complete(ex);
        }
    }

    private void Compute(EstimationMethod method, long now, StoreKeyRange range, Action<List<StoreReportRow>> emit, CancellationToken cancellationToken)
    {
        var settings = options.Value.Estimation;
        var batchSize = options.Value.Reports.BatchSize;
        var windows = new ReportWindows(now);
        var buffers = new StoreReport.Buffers();
        var polls = new List<Poll>(1024);
        var batch = new List<StoreReportRow>(batchSize);
        var currentKey = -1;

        using var connection = database.Open();
        var stores = profileCache.Get(connection, null, []);

        void Finish()
        {
            if (currentKey < 0)
            {
                return;
            }

            if (!stores.TryGetValue(currentKey, out var store))
            {
                // Registered since the profiles were cached (its first polls just came in).
                stores = profileCache.Get(connection, null, [currentKey]);
                store = stores.TryGetValue(currentKey, out var found) ? found : StoreProfile.Unknown(currentKey);
            }

            batch.Add(new StoreReportRow(store.StoreId, StoreReport.Compute(CollectionsMarshal.AsSpan(polls), store, windows, method, settings, buffers)));
            if (batch.Count >= batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                emit(batch);
                batch = new List<StoreReportRow>(batchSize);
            }
        }

        database.Dialect.ReadObservations(connection, now, range, (key, at, active) =>
        {
            if (key != currentKey)
            {
                Finish();
                currentKey = key;
                polls.Clear();
            }

            polls.Add(new Poll(at, active));
        });

        Finish();
        if (batch.Count > 0)
        {
            emit(batch);
        }
    }

    // This thread is the producer's own, so waiting here blocks no one else.
    private static void Write(ChannelWriter<IReadOnlyList<StoreReportRow>> output, IReadOnlyList<StoreReportRow> batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        while (!output.TryWrite(batch))
        {
            if (!output.WaitToWriteAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }
}
