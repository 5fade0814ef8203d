using System.Data.Common;
using Dapper;
using NodaTime;
using StoreMonitoring.Incidents;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Import;

/// <summary>A store's business hours or time zone changed in place, without a whole snapshot file.</summary>
public sealed class StoreEdits(StoreDatabase database, IncidentUpdater incidents, ConflictRetry retry)
{
    /// <summary>Replaces one store's weekly hours (none at all: open 24x7), registering the store if new.</summary>
    public Task SetHoursAsync(string storeId, IReadOnlyList<OpeningWindow> windows, CancellationToken cancellationToken = default) =>
        EditAsync(storeId, (connection, transaction, key) =>
        {
            connection.Execute("DELETE FROM business_hours WHERE store_key = @key", new { key }, transaction);
            foreach (var window in windows.Distinct())
            {
                connection.Execute(
                    "INSERT INTO business_hours (store_key, day_of_week, start_local, end_local) VALUES (@key, @day, @start, @end)",
                    new { key, day = (long)window.DayOfWeek, start = LocalTimeText.Format(window.Start), end = LocalTimeText.Format(window.End) }, transaction);
            }
        }, cancellationToken);

    /// <summary>Sets one store's time zone, registering the store if new.</summary>
    public Task SetTimezoneAsync(string storeId, DateTimeZone zone, CancellationToken cancellationToken = default) =>
        EditAsync(storeId, (connection, transaction, key) =>
        {
            // Delete and insert rather than an upsert: the same statements on both engines.
            connection.Execute("DELETE FROM store_timezones WHERE store_key = @key", new { key }, transaction);
            connection.Execute("INSERT INTO store_timezones (store_key, timezone_str) VALUES (@key, @zone)", new { key, zone = zone.Id }, transaction);
        }, cancellationToken);

    private async Task EditAsync(string storeId, Action<DbConnection, DbTransaction, int> edit, CancellationToken cancellationToken)
    {
        if (StoreIds.Problem(storeId) is { } problem)
        {
            throw new ArgumentException(problem, nameof(storeId));
        }

        // Another writer edited the same store at once (a deadlock on its rows, a lost Galera
        // certification): go again. New store keys come from the database and never collide.
        await retry.RunAsync(
            RetryPolicy.StoreEdit,
            async _ =>
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                using var stores = StoreRegistry.Load(database.Dialect, connection, transaction);
                var key = stores.GetOrAdd(storeId);
                edit(connection, transaction, key);
                StoreProfileCache.Invalidate(connection, transaction);
                // What the store's polls mean changed: its incidents are recomputed whole.
                incidents.Update(connection, transaction, new Dictionary<int, long?> { [key] = null });
                await transaction.CommitAsync(cancellationToken);
            },
            cancellationToken: cancellationToken);
    }
}
