using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>What one pass of <see cref="HistoryRetention"/> removed.</summary>
public sealed record HistoryRetentionResult(long Polls, int Stores, long Rollups);

/// <summary>
/// Deletes raw polls older than <c>Retention:PollDays</c> and rollups older than
/// <c>Retention:RollupDays</c>, in transactions of at most <see cref="BatchRows"/> rows. Deleting
/// polls changes no rollup: the store is written down in <c>polls_removed</c> first, in the same
/// transaction as its first deleted batch, and its dates before the third remaining poll are frozen
/// (<see cref="FrozenDates"/>).
/// </summary>
public sealed class HistoryRetention(StoreDatabase database, TimeProvider time, IOptions<StoreMonitoringOptions> options)
{
    /// <summary>The most rows one transaction deletes.</summary>
    public const int BatchRows = 5000;

    public async Task<HistoryRetentionResult> CleanAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value.Retention;
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        var keys = (await connection.QueryAsync<int>(new CommandDefinition("SELECT store_key FROM stores ORDER BY store_key", cancellationToken: cancellationToken))).ToList();
        long polls = 0, rollups = 0;
        var stores = 0;
        if (settings.PollDays > 0)
        {
            var cutoff = UnixMicros.FromDateTimeOffset(now.AddDays(-settings.PollDays));
            foreach (var key in keys)
            {
                var deleted = await DeletePollsAsync(connection, key, cutoff, cancellationToken);
                polls += deleted;
                stores += deleted > 0 ? 1 : 0;
            }
        }

        if (settings.RollupDays > 0)
        {
            var before = LocalDates.ToKey(NodaTime.LocalDate.FromDateTime(now.UtcDateTime.Date).PlusDays(-settings.RollupDays));
            foreach (var key in keys)
            {
                rollups += await DeleteBatchesAsync(connection, "store_days", "store_key, local_date", "store_key = @key AND local_date < @before", new { key, before }, null, cancellationToken);
            }
        }

        return new HistoryRetentionResult(polls, stores, rollups);
    }

    private async Task<long> DeletePollsAsync(DbConnection connection, int key, long cutoff, CancellationToken cancellationToken)
    {
        var oldest = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(observed_at_us) FROM store_status WHERE store_key = @key", new { key }, cancellationToken: cancellationToken));
        if (oldest is not { } first || first >= cutoff)
        {
            return 0;
        }

        // The marker commits with the first deleted batch: any recomputation that sees a poll gone sees it.
        async Task Mark(DbTransaction transaction)
        {
            var through = FrozenDates.ThirdPoll(connection, transaction, key, cutoff);
            var previous = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT frozen_through_us FROM polls_removed WHERE store_key = @key", new { key }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM polls_removed WHERE store_key = @key", new { key }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO polls_removed (store_key, removed_before_us, frozen_through_us) VALUES (@key, @cutoff, @through)",
                new { key, cutoff, through = through is { } t && previous is { } p ? Math.Max(t, p) : through }, transaction, cancellationToken: cancellationToken));
        }

        return await DeleteBatchesAsync(connection, "store_status", "store_key, observed_at_us", "store_key = @key AND observed_at_us < @cutoff", new { key, cutoff }, Mark, cancellationToken);
    }

    private async Task<long> DeleteBatchesAsync(
        DbConnection connection, string table, string keys, string where, object parameters, Func<DbTransaction, Task>? first, CancellationToken cancellationToken)
    {
        var sql = database.Dialect.DeleteAtMost(table, keys, where, BatchRows);
        long total = 0;
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (first is not null)
            {
                await first(transaction);
                first = null;
            }

            var deleted = await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            total += deleted;
            if (deleted < BatchRows)
            {
                return total;
            }
        }
    }
}
