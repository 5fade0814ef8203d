using System.Data.Common;

namespace StoreMonitoring.Storage;

/// <summary>
/// What really differs between the engines: connection set-up, the bulk path for observations and
/// the spelling of "insert unless present". Everything else is plain SQL shared by both.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>The configuration name: <c>sqlite</c> or <c>mysql</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Creates the data source for a connection string.</summary>
    public abstract DbDataSource CreateDataSource(string connectionString);

    /// <summary>Runs once on every opened connection.</summary>
    public virtual Task PrepareConnectionAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary><c>INSERT</c> that skips a row whose key exists: <c>INSERT OR IGNORE</c> / <c>INSERT IGNORE</c>.</summary>
    public abstract string InsertIgnore { get; }

    /// <summary>Starts a bulk load of observations inside <paramref name="transaction"/>.</summary>
    public abstract ObservationLoader CreateObservationLoader(DbConnection connection, DbTransaction transaction);

    /// <summary>The report's one read: every observation at or before <c>@now</c>, in (store, time) order.</summary>
    public const string ObservationsQuery =
        "SELECT store_key, observed_at_us, active FROM store_status WHERE observed_at_us <= @now ORDER BY store_key, observed_at_us";

    /// <summary>Streams <see cref="ObservationsQuery"/> to <paramref name="sink"/>, row by row.</summary>
    public virtual void ReadObservations(DbConnection connection, long now, ObservationSink sink)
    {
        using var command = connection.CreateCommand();
        command.CommandText = ObservationsQuery;
        command.CommandTimeout = 0;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@now";
        parameter.Value = now;
        command.Parameters.Add(parameter);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            sink(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2) != 0);
        }
    }

    /// <summary>Whether the schema must be created at start-up when the setting is not given.</summary>
    public abstract bool MigrateOnStartByDefault { get; }

    public static SqlDialect For(string provider) => provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => new SqliteDialect(),
        "mysql" or "mariadb" => new MySqlDialect(),
        _ => throw new ArgumentException($"Unknown database provider '{provider}': use 'sqlite' or 'mysql'.", nameof(provider)),
    };
}

/// <summary>Receives one observation of a streamed read.</summary>
public delegate void ObservationSink(int storeKey, long observedAtUs, bool active);

/// <summary>Receives one file's observations, already validated, and writes them in bulk.</summary>
/// <remarks>Synchronous on purpose: the import loop walks Sep's span-based rows, which cannot live across an await.</remarks>
public abstract class ObservationLoader : IDisposable
{
    public abstract void Add(int storeKey, long observedAtUs, bool active);

    /// <summary>Flushes what is buffered and returns how many observations were new.</summary>
    public abstract long Complete();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
