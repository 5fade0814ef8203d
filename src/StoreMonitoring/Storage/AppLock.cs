using System.Data.Common;
using Dapper;
using StoreMonitoring.Time;

namespace StoreMonitoring.Storage;

/// <summary>
/// A named, database-wide lease held as a row of <c>app_locks</c>: one holder at a time across
/// every process on the database, and a holder that dies loses it when the lease runs out.
/// </summary>
/// <remarks>
/// Lease statements wait for other writers only briefly (<see cref="StoreDatabase.LeaseLockWait"/>):
/// on SQLite a long import holds the only write lock, and an attempt to take the lock that waits
/// behind it must answer "held" at once rather than queue up and import again afterwards.
/// </remarks>
public sealed class AppLock(StoreDatabase database, TimeProvider time)
{
    private const string TakeSql = """
        UPDATE app_locks SET holder = @holder, expires_at_us = @expires
        WHERE lock_name = @name AND (holder IS NULL OR holder = @holder OR expires_at_us < @now)
        """;

    private const string RenewSql = "UPDATE app_locks SET expires_at_us = @expires WHERE lock_name = @name AND holder = @holder";

    /// <summary>Takes the lock, or renews it for its holder; false while another holder has it (or is writing).</summary>
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan lease, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(StoreDatabase.LeaseLockWait, cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(TakeSql, Parameters(name, holder, lease), cancellationToken: cancellationToken)) == 1;
        }
        catch (DbException ex) when (database.Dialect.IsContention(ex))
        {
            return false;
        }
    }

    /// <summary>Extends the holder's lease; false when another holder has taken it over.</summary>
    public async Task<bool> RenewAsync(string name, string holder, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(StoreDatabase.LeaseLockWait, cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(RenewSql, Parameters(name, holder, lease), cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Renews inside the caller's transaction, just before it commits: the commit then happens only
    /// while the lease is still the holder's, and extends it in the same step.
    /// </summary>
    public bool RenewWithin(DbConnection connection, DbTransaction transaction, string name, string holder, TimeSpan lease) =>
        connection.Execute(RenewSql, Parameters(name, holder, lease), transaction) == 1;

    public async Task ReleaseAsync(string name, string holder)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("UPDATE app_locks SET holder = NULL, expires_at_us = 0 WHERE lock_name = @name AND holder = @holder", new { name, holder });
    }

    private object Parameters(string name, string holder, TimeSpan lease)
    {
        var now = UnixMicros.FromDateTimeOffset(time.GetUtcNow());
        return new { name, holder, now, expires = now + (long)lease.TotalMicroseconds };
    }
}
