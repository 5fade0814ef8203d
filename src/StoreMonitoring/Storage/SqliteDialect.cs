using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace StoreMonitoring.Storage;

public sealed class SqliteDialect : SqlDialect
{
    public override string Name => "sqlite";

    public override string InsertIgnore => "INSERT OR IGNORE";

    public override bool MigrateOnStartByDefault => true;

    public override DbDataSource CreateDataSource(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        // Writers queue behind each other instead of failing at once: imports and report jobs from
        // several processes share one file.
        if (builder.DefaultTimeout < 60)
        {
            builder.DefaultTimeout = 60;
        }

        return SqliteFactory.Instance.CreateDataSource(builder.ConnectionString);
    }

    public override async Task PrepareConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        // WAL lets readers (polling, debug) go on while an import or a report writes.
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA busy_timeout = 60000;
            PRAGMA foreign_keys = OFF;
            PRAGMA cache_size = -{ConnectionCacheKiB};
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override ObservationLoader CreateObservationLoader(DbConnection connection, DbTransaction transaction) =>
        new SqliteObservationLoader((SqliteConnection)connection, (SqliteTransaction)transaction);

    public override void ReadObservations(DbConnection connection, long now, ObservationSink sink)
    {
        // The same query as the portable version, stepped through the C API: the report's hot
        // loop then costs a few native calls per row instead of a data reader's bookkeeping.
        var db = ((SqliteConnection)connection).Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, ObservationsQuery.Replace("@now", "?1", StringComparison.Ordinal), out var statement));
        using (statement)
        {
            raw.sqlite3_bind_int64(statement, 1, now);
            int result;
            while ((result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                sink(raw.sqlite3_column_int(statement, 0), raw.sqlite3_column_int64(statement, 1), raw.sqlite3_column_int(statement, 2) != 0);
            }

            Check(db, result);
        }
    }

    private const int ConnectionCacheKiB = 65536;

    private static void Execute(sqlite3 db, string sql) => Check(db, raw.sqlite3_exec(db, sql));

    private static void Check(sqlite3 db, int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE))
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), result);
        }
    }

    /// <summary>
    /// Binds and steps one prepared statement through SQLite's C API: no command, reader or boxed
    /// parameter per row. Rows are buffered in bounded chunks and inserted in key order, so each
    /// store's rows land together in the clustered table instead of one page apart per row.
    /// </summary>
    private sealed class SqliteObservationLoader : ObservationLoader
    {
        private const int ChunkRows = 1 << 18;
        private const int BulkLoadCacheKiB = 512 * 1024;

        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _insert;
        private readonly Observation[] _chunk = new Observation[ChunkRows];
        private int _buffered;
        private long _inserted;

        public SqliteObservationLoader(SqliteConnection connection, SqliteTransaction transaction)
        {
            // The statement runs inside the caller's transaction: same connection, same handle.
            _ = transaction;
            _db = connection.Handle!;
            // Each sorted chunk touches every store's end of the clustered table; when the table
            // outgrows the page cache, every chunk rereads and rewrites most of it. A larger cache
            // for the load alone (pages are allocated as used, so a small table stays small)
            // keeps a ten-times-larger table in memory.
            Execute(_db, $"PRAGMA cache_size = -{BulkLoadCacheKiB}");
            Check(_db, raw.sqlite3_prepare_v2(_db, "INSERT OR IGNORE INTO store_status (store_key, observed_at_us, active) VALUES (?1, ?2, ?3)", out _insert));
        }

        public override void Add(int storeKey, long observedAtUs, bool active)
        {
            _chunk[_buffered++] = new Observation(storeKey, observedAtUs, active);
            if (_buffered == ChunkRows)
            {
                Flush();
            }
        }

        public override long Complete()
        {
            Flush();
            return _inserted;
        }

        private void Flush()
        {
            var rows = _chunk.AsSpan(0, _buffered);
            rows.Sort(static (a, b) => a.StoreKey != b.StoreKey ? a.StoreKey.CompareTo(b.StoreKey) : a.ObservedAtUs.CompareTo(b.ObservedAtUs));
            foreach (ref readonly var row in rows)
            {
                raw.sqlite3_bind_int(_insert, 1, row.StoreKey);
                raw.sqlite3_bind_int64(_insert, 2, row.ObservedAtUs);
                raw.sqlite3_bind_int(_insert, 3, row.Active ? 1 : 0);
                var result = raw.sqlite3_step(_insert);
                raw.sqlite3_reset(_insert);
                Check(_db, result);
                _inserted += raw.sqlite3_changes(_db);
            }

            _buffered = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _insert.Dispose();
                Execute(_db, $"PRAGMA cache_size = -{ConnectionCacheKiB}");
            }

            base.Dispose(disposing);
        }

        private readonly record struct Observation(int StoreKey, long ObservedAtUs, bool Active);
    }
}
