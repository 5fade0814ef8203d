using System.Data.Common;
using Dapper;

namespace StoreMonitoring.Storage;

/// <summary>The configured database: a data source and the dialect that goes with it.</summary>
public sealed class StoreDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>How long an ordinary statement waits for another writer's lock.</summary>
    public static readonly TimeSpan DefaultLockWait = TimeSpan.FromSeconds(60);

    /// <summary>How long a lease statement waits: a lease must answer promptly, not queue.</summary>
    public static readonly TimeSpan LeaseLockWait = TimeSpan.FromSeconds(1);

    public StoreDatabase(SqlDialect dialect, string connectionString)
    {
        Dialect = dialect;
        DataSource = dialect.CreateDataSource(connectionString);
    }

    public SqlDialect Dialect { get; }

    /// <summary>
    /// Runs a claim's conditional UPDATE: how many rows it took, none when it lost the race to
    /// another writer (a lock it would wait for, or on a Galera cluster a lost certification).
    /// </summary>
    public async Task<int> TryClaimAsync(DbConnection connection, CommandDefinition claim)
    {
        try
        {
            return await connection.ExecuteAsync(claim);
        }
        catch (DbException ex) when (Dialect.IsContention(ex))
        {
            return 0;
        }
    }

    public DbDataSource DataSource { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await OpenAsync(DefaultLockWait, cancellationToken);

    public async Task<DbConnection> OpenAsync(TimeSpan lockWait, CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await Dialect.PrepareConnectionAsync(connection, lockWait, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Synchronous open, for the data-heavy loops that run on a thread of their own.</summary>
    public DbConnection Open()
    {
        var connection = DataSource.OpenConnection();
        try
        {
            Dialect.PrepareConnectionAsync(connection, DefaultLockWait, CancellationToken.None).GetAwaiter().GetResult();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    public void Dispose() => DataSource.Dispose();
}
