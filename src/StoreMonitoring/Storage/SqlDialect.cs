using System.Data.Common;

namespace StoreMonitoring.Storage;

/// <summary>
/// What really differs between the engines: connection set-up, what an error means, the bulk path
/// for observations, the spelling of "insert unless present" and of an outer-first join, and the
/// unavailability check. Everything else is plain SQL shared by every engine; engine types appear
/// only in the dialects (a new engine: docs/architecture.md).
/// </summary>
public abstract class SqlDialect
{
    /// <summary>The configuration name: <c>sqlite</c> or <c>mysql</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Creates the data source for a connection string.</summary>
    public abstract DbDataSource CreateDataSource(string connectionString);

    /// <summary>Runs once on every opened connection; <paramref name="lockWait"/> bounds waits for other writers' locks.</summary>
    public abstract Task PrepareConnectionAsync(DbConnection connection, TimeSpan lockWait, CancellationToken cancellationToken);

    /// <summary>What a failed statement says about the other writers; each engine's codes map to exactly one kind.</summary>
    public abstract DbErrorKind Classify(DbException exception);

    /// <summary>Whether a statement failed on a key another writer inserted first.</summary>
    public bool IsDuplicateKey(DbException exception) => Classify(exception) == DbErrorKind.DuplicateKey;

    /// <summary>Whether a statement failed because another writer held a lock for longer than it would wait.</summary>
    public bool IsLockTimeout(DbException exception) => Classify(exception) == DbErrorKind.LockTimeout;

    /// <summary>Whether a transaction lost to a concurrent writer of the same rows and may simply run again (a deadlock, a lost Galera certification).</summary>
    public bool IsWriteConflict(DbException exception) => Classify(exception) == DbErrorKind.WriteConflict;

    /// <summary>Whether another writer was in the way: it held the lock past the wait, or won the rows (a claim that lost, a busy database).</summary>
    public bool IsContention(DbException exception) => Classify(exception) is DbErrorKind.LockTimeout or DbErrorKind.WriteConflict;

    /// <summary>
    /// Whether writers take turns by themselves: one writer at a time, and a transaction that read
    /// before another's commit cannot write after it. Then two recomputations of a store's incidents
    /// cannot overlap, and they need not take turns on its row.
    /// </summary>
    public virtual bool SerializesWriters => false;

    /// <summary>An INSERT that skips rows whose key is already there: a prefix on some engines, a suffix (<c>ON CONFLICT DO NOTHING</c>) on others.</summary>
    public abstract InsertSql InsertUnlessPresent(string table, IReadOnlyList<string> columns);

    /// <summary>
    /// Registers the store <c>@id</c> unless it is there and answers its key, in one round trip. The
    /// database assigns new keys, so two writers registering stores at once never take the same
    /// one; a store another writer registered (committed, or waited for) answers with its key.
    /// </summary>
    public abstract string RegisterStoreSql { get; }

    /// <summary>
    /// A DELETE of at most <paramref name="limit"/> rows of <paramref name="table"/> matching
    /// <paramref name="where"/>, so that retention deletes in bounded transactions: a LIMIT on one
    /// engine, a subquery over the key columns <paramref name="keys"/> on another.
    /// </summary>
    public abstract string DeleteAtMost(string table, string keys, string where, int limit);

    /// <summary>
    /// The join that reads its left side as the outer loop (one index seek per left row into the
    /// right): some planners need telling, others read it as a plain JOIN. Used as
    /// <c>FROM stores s {OuterFirstJoin} store_status o ON ...</c>.
    /// </summary>
    public virtual string OuterFirstJoin => "JOIN";

    /// <summary>
    /// Whether the database could not be reached or was not ready (its server down, a cluster node
    /// out of the cluster, a lock held past the wait): worth a 503 and a retry, not a 500.
    /// </summary>
    public abstract bool IsUnavailableError(Exception exception);

    /// <summary>
    /// Whether a write failed for want of space: the disk (or the database's quota) is full. Worth
    /// a 507 that says so, not a 500: nothing is wrong with the request, and a retry after space is
    /// freed succeeds.
    /// </summary>
    public bool IsStorageFull(Exception exception) => exception switch
    {
        // ENOSPC (28) from the file system itself.
        IOException io when (io.HResult & 0xFFFF) == 28 => true,
        _ when IsStorageFullError(exception) => true,
        { InnerException: { } inner } => IsStorageFull(inner),
        _ => false,
    };

    /// <summary>The engine's own errors for a full disk or quota.</summary>
    protected abstract bool IsStorageFullError(Exception exception);

    /// <summary>Starts a bulk load of observations inside <paramref name="transaction"/>.</summary>
    public abstract ObservationLoader CreateObservationLoader(DbConnection connection, DbTransaction transaction);

    /// <summary>A report's read: every observation of a range of stores at or before <c>@now</c>, in (store, time) order.</summary>
    public const string ObservationsQuery =
        "SELECT store_key, observed_at_us, active FROM store_status WHERE store_key BETWEEN @first AND @last AND observed_at_us <= @now ORDER BY store_key, observed_at_us";

    /// <summary>Streams <see cref="ObservationsQuery"/> to <paramref name="sink"/>, row by row.</summary>
    /// <param name="transaction">The connection's open transaction, if any (MySQL requires commands to name it).</param>
    public virtual void ReadObservations(DbConnection connection, long now, StoreKeyRange stores, ObservationSink sink, DbTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = ObservationsQuery;
        command.CommandTimeout = 0;
        foreach (var (name, value) in (ReadOnlySpan<(string, long)>)[("@now", now), ("@first", stores.First), ("@last", stores.Last)])
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            sink(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2) != 0);
        }
    }

    /// <summary>
    /// The latest poll over all stores, as one index seek per store rather than a scan of the table
    /// (store_status is keyed on (store_key, observed_at_us), so a plain MAX(observed_at_us) reads
    /// every row). The engines' planners need it spelled differently.
    /// </summary>
    public virtual string LatestObservationQuery => """
        SELECT MAX(latest) FROM (
            SELECT (SELECT MAX(o.observed_at_us) FROM store_status o WHERE o.store_key = s.store_key) AS latest FROM stores s
        ) t
        """;

    /// <summary>Writes <c>store_days</c> rows in the transaction without boxing a value per row.</summary>
    public abstract Reports.Rollups.DayRollupWriter CreateDayRollupWriter(DbConnection connection, DbTransaction transaction);

    /// <summary>Whether the schema must be created at start-up when the setting is not given.</summary>
    public abstract bool MigrateOnStartByDefault { get; }

    public static SqlDialect For(DatabaseProvider provider, bool causalReads = false) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(),
        DatabaseProvider.MySql => new MySqlDialect(causalReads),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Use sqlite or mysql."),
    };
}

/// <summary>Receives one observation of a streamed read.</summary>
public delegate void ObservationSink(int storeKey, long observedAtUs, bool active);
