using Dapper;

namespace StoreMonitoring.Storage;

/// <summary>
/// A named, database-wide lease: one holder at a time across every process on the database, and a
/// holder that dies loses it when the lease runs out.
/// </summary>
public sealed class AppLock(StoreDatabase database, TimeProvider time)
{
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Time.UnixMicros.FromDateTimeOffset(time.GetUtcNow());
        await using var connection = await database.OpenAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE app_locks SET holder = @holder, expires_at_us = @expires
            WHERE lock_name = @name AND (holder IS NULL OR holder = @holder OR expires_at_us < @now)
            """,
            new { name, holder, now, expires = now + (long)lease.TotalMicroseconds }, cancellationToken: cancellationToken));
        return changed == 1;
    }

    public Task<bool> RenewAsync(string name, string holder, TimeSpan lease, CancellationToken cancellationToken) =>
        TryAcquireAsync(name, holder, lease, cancellationToken);

    public async Task ReleaseAsync(string name, string holder)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("UPDATE app_locks SET holder = NULL, expires_at_us = 0 WHERE lock_name = @name AND holder = @holder", new { name, holder });
    }
}
