using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StoreMonitoring.Storage;

/// <summary>
/// Applies the numbered scripts under <c>Storage/Migrations/{dialect}</c> that a database has not
/// seen yet, each in its own transaction where the engine allows DDL in one.
/// </summary>
public sealed class Migrator(StoreDatabase database, TimeProvider time, IOptions<StoreMonitoringOptions> options, ILogger<Migrator> logger)
{
    /// <summary>Migrates when <c>Database:MigrateOnStart</c> says so (by default: SQLite yes, a shared server no).</summary>
    public Task MigrateIfConfiguredAsync(CancellationToken cancellationToken = default) =>
        options.Value.Database.MigrateOnStart ?? database.Dialect.MigrateOnStartByDefault ? MigrateAsync(cancellationToken) : Task.CompletedTask;

    private static readonly TimeSpan LockLease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Applies what is pending. Instances starting at once on one database take turns: the first
    /// migrates, the others wait for its lock and then find nothing left to do.
    /// </summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER NOT NULL PRIMARY KEY,
                name       VARCHAR(200) NOT NULL,
                applied_at VARCHAR(40) NOT NULL
            )
            """, cancellationToken: cancellationToken));
        // The lock lives beside the migrations table, so it exists before any script has run.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS schema_lock (
                lock_name     VARCHAR(50) NOT NULL PRIMARY KEY,
                holder        VARCHAR(200) NULL,
                expires_at_us BIGINT NOT NULL
            )
            """, cancellationToken: cancellationToken));
        var holder = WorkerIds.New();
        await AcquireAsync(holder, cancellationToken);
        try
        {
            await using var lease = LeaseKeeper.Start(ct => RenewAsync(holder, ct), LockLease, time, cancellationToken);
            return await ApplyPendingAsync(connection, lease.Token);
        }
        finally
        {
            await using var release = await database.OpenAsync(CancellationToken.None);
            await release.ExecuteAsync("UPDATE schema_lock SET holder = NULL, expires_at_us = 0 WHERE lock_name = 'migrate' AND holder = @holder", new { holder });
        }
    }

    private async Task AcquireAsync(string holder, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + LockWait;
        while (true)
        {
            var now = Time.UnixMicros.FromDateTimeOffset(time.GetUtcNow());
            try
            {
                await using var connection = await database.OpenAsync(StoreDatabase.LeaseLockWait, cancellationToken);
                await EnsureLockRowAsync(connection, cancellationToken);
                var taken = await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE schema_lock SET holder = @holder, expires_at_us = @expires WHERE lock_name = 'migrate' AND (holder IS NULL OR expires_at_us < @now)",
                    new { holder, now, expires = now + (long)LockLease.TotalMicroseconds }, cancellationToken: cancellationToken));
                if (taken == 1)
                {
                    return;
                }
            }
            catch (System.Data.Common.DbException ex) when (database.Dialect.IsContention(ex) || database.Dialect.IsDuplicateKey(ex))
            {
                // Another instance is creating the row or migrating: wait for it.
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException("Another instance has held the migration lock for over two minutes; try again when it has finished.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }
    }

    // A plain INSERT whose duplicate is expected: the same statement on every engine.
    private async Task EnsureLockRowAsync(System.Data.Common.DbConnection connection, CancellationToken cancellationToken)
    {
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM schema_lock WHERE lock_name = 'migrate'", cancellationToken: cancellationToken)) > 0)
        {
            return;
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_lock (lock_name, holder, expires_at_us) VALUES ('migrate', NULL, 0)", cancellationToken: cancellationToken));
        }
        catch (System.Data.Common.DbException ex) when (database.Dialect.IsDuplicateKey(ex))
        {
            // Another instance inserted it first.
        }
    }

    private async Task<bool> RenewAsync(string holder, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(StoreDatabase.LeaseLockWait, cancellationToken);
        var now = Time.UnixMicros.FromDateTimeOffset(time.GetUtcNow());
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE schema_lock SET expires_at_us = @expires WHERE lock_name = 'migrate' AND holder = @holder",
            new { holder, expires = now + (long)LockLease.TotalMicroseconds }, cancellationToken: cancellationToken)) == 1;
    }

    private async Task<int> ApplyPendingAsync(System.Data.Common.DbConnection connection, CancellationToken cancellationToken)
    {

        var applied = (await connection.QueryAsync<long>(new CommandDefinition("SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet();
        var count = 0;
        foreach (var (version, name, sql) in Scripts(database.Dialect.Name))
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var statement in SplitStatements(sql))
            {
                await connection.ExecuteAsync(new CommandDefinition(statement, transaction: transaction, cancellationToken: cancellationToken));
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @appliedAt)",
                new { version, name, appliedAt = time.GetUtcNow().ToString("O") }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            Log.MigrationApplied(logger, version, name, database.Dialect.Name);
            count++;
        }

        return count;
    }

    /// <summary>The newest migration this build carries for <paramref name="dialect"/>: a current schema has it applied.</summary>
    public static long LatestVersion(string dialect) => Scripts(dialect).Max(s => s.Version);

    internal static IEnumerable<(long Version, string Name, string Sql)> Scripts(string dialect)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.Storage.Migrations.{dialect}.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = long.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)]);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (version, name, reader.ReadToEnd());
        }
    }

    // Scripts hold no semicolons inside literals, so a split on ';' at line ends is exact.
    internal static IEnumerable<string> SplitStatements(string sql) =>
        sql.Split(";\n")
            .Select(s => string.Join('\n', s.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim().TrimEnd(';'))
            .Where(s => s.Length > 0);
}
