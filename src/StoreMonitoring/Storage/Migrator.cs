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
