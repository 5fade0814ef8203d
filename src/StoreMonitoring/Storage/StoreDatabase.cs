using System.Data.Common;

namespace StoreMonitoring.Storage;

/// <summary>The configured database: a data source and the dialect that goes with it.</summary>
public sealed class StoreDatabase : IAsyncDisposable, IDisposable
{
    public StoreDatabase(SqlDialect dialect, string connectionString)
    {
        Dialect = dialect;
        DataSource = dialect.CreateDataSource(connectionString);
    }

    public SqlDialect Dialect { get; }

    public DbDataSource DataSource { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await Dialect.PrepareConnectionAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Synchronous open, for the data-heavy loops that run on a worker thread.</summary>
    public DbConnection Open()
    {
        var connection = DataSource.OpenConnection();
        try
        {
            Dialect.PrepareConnectionAsync(connection, CancellationToken.None).GetAwaiter().GetResult();
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
