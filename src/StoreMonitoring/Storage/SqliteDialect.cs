using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace StoreMonitoring.Storage;

public sealed class SqliteDialect : SqlDialect
{
    public override string Name => "sqlite";

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

    public override async Task PrepareConnectionAsync(DbConnection connection, TimeSpan lockWait, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        // WAL lets readers (polling, debug) go on while an import or a report writes.
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA busy_timeout = {(int)lockWait.TotalMilliseconds};
            PRAGMA foreign_keys = OFF;
            PRAGMA cache_size = -{ConnectionCacheKiB};
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // SQLITE_BUSY and SQLITE_LOCKED: another connection holds the lock it waited for (one writer
    // at a time, so no write conflict of its own); SQLITE_CONSTRAINT: a unique or primary key already taken.
    public override DbErrorKind Classify(DbException exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 5 or 6 } => DbErrorKind.LockTimeout,
        SqliteException { SqliteErrorCode: 19 } => DbErrorKind.DuplicateKey,
        _ => DbErrorKind.Other,
    };

    public override InsertSql InsertUnlessPresent(string table, IReadOnlyList<string> columns) => InsertSql.Into("INSERT OR IGNORE", table, columns);

    // One writer at a time: the read after the insert sees the committed row or this transaction's.
    public override string RegisterStoreSql => "INSERT OR IGNORE INTO stores (store_id) VALUES (@id); SELECT store_key FROM stores WHERE store_id = @id";

    // CROSS JOIN keeps the left side as the outer loop in SQLite, whose planner otherwise scans every
    // poll and runs a per-store subquery for each (1 s instead of 12 ms at 3,678 stores and 21 days).
    public override string OuterFirstJoin => "CROSS JOIN";

    // DELETE ... LIMIT needs a compile-time option SQLite's bundled build lacks; the tables are WITHOUT ROWID, so the key picks the rows.
    public override string DeleteAtMost(string table, string keys, string where, int limit) =>
        $"DELETE FROM {table} WHERE ({keys}) IN (SELECT {keys} FROM {table} WHERE {where} LIMIT {limit})";

    public override bool IsUnavailableError(Exception exception) => exception is SqliteException { IsTransient: true };

    // SQLITE_FULL (13): "database or disk is full", also past PRAGMA max_page_count.
    protected override bool IsStorageFullError(Exception exception) => exception is SqliteException { SqliteErrorCode: 13 };

    public override bool SerializesWriters => true;

    public override ObservationLoader CreateObservationLoader(DbConnection connection, DbTransaction transaction) =>
        new SqliteObservationLoader((SqliteConnection)connection, (SqliteTransaction)transaction);

    public override Reports.Rollups.DayRollupWriter CreateDayRollupWriter(DbConnection connection, DbTransaction transaction) =>
        new SqliteDayRollupWriter((SqliteConnection)connection, (SqliteTransaction)transaction);

    public override void ReadObservations(DbConnection connection, long now, StoreKeyRange stores, ObservationSink sink, DbTransaction? transaction = null)
    {
        // The same query as the portable version, stepped through the C API: the report's hot
        // loop then costs a few native calls per row instead of a data reader's bookkeeping.
        var db = ((SqliteConnection)connection).Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, ObservationsQuery.Replace("@now", "?1", StringComparison.Ordinal).Replace("@first", "?2", StringComparison.Ordinal).Replace("@last", "?3", StringComparison.Ordinal), out var statement));
        using (statement)
        {
            raw.sqlite3_bind_int64(statement, 1, now);
            raw.sqlite3_bind_int(statement, 2, stores.First);
            raw.sqlite3_bind_int(statement, 3, stores.Last);
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
    /// Binds and steps prepared statements through SQLite's C API: no command, reader or boxed
    /// parameter per row. A row the primary key ignores is looked up to tell a repeat from a conflict.
    /// </summary>
    private sealed class SqliteObservationLoader : ObservationLoader
    {
        private const int ChunkRows = 1 << 18;
        private const int BulkLoadCacheKiB = 512 * 1024;

        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _insert;
        private readonly sqlite3_stmt _stored;

        public SqliteObservationLoader(SqliteConnection connection, SqliteTransaction transaction)
            : base(ChunkRows)
        {
            // The statements step on the transaction's own connection handle, so they are part of it.
            if (transaction.Connection != connection)
            {
                throw new ArgumentException("The transaction belongs to another connection.", nameof(transaction));
            }

            _db = connection.Handle!;
            // Each sorted chunk touches every store's end of the clustered table; when the table
            // outgrows the page cache, every chunk rereads and rewrites most of it. A larger cache
            // for the load alone (pages are allocated as used, so a small table stays small)
            // keeps a ten-times-larger table in memory.
            Execute(_db, $"PRAGMA cache_size = -{BulkLoadCacheKiB}");
            Check(_db, raw.sqlite3_prepare_v2(_db, "INSERT OR IGNORE INTO store_status (store_key, observed_at_us, active) VALUES (?1, ?2, ?3)", out _insert));
            Check(_db, raw.sqlite3_prepare_v2(_db, "SELECT active FROM store_status WHERE store_key = ?1 AND observed_at_us = ?2", out _stored));
        }

        protected override void Write(ReadOnlySpan<Observation> rows)
        {
            long inserted = 0;
            foreach (ref readonly var row in rows)
            {
                raw.sqlite3_bind_int(_insert, 1, row.StoreKey);
                raw.sqlite3_bind_int64(_insert, 2, row.ObservedAtUs);
                raw.sqlite3_bind_int(_insert, 3, row.Active ? 1 : 0);
                var result = raw.sqlite3_step(_insert);
                raw.sqlite3_reset(_insert);
                Check(_db, result);
                if (raw.sqlite3_changes(_db) == 1)
                {
                    inserted++;
                }
                else
                {
                    Settle(row);
                }
            }

            CountInserted(inserted);
        }

        private void Settle(in Observation row)
        {
            raw.sqlite3_bind_int(_stored, 1, row.StoreKey);
            raw.sqlite3_bind_int64(_stored, 2, row.ObservedAtUs);
            var result = raw.sqlite3_step(_stored);
            var storedActive = result == raw.SQLITE_ROW && raw.sqlite3_column_int(_stored, 0) != 0;
            raw.sqlite3_reset(_stored);
            if (result != raw.SQLITE_ROW)
            {
                Check(_db, result);
            }

            if (storedActive == row.Active)
            {
                CountUnchanged(1);
            }
            else
            {
                CountConflict(row, storedActive);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _insert.Dispose();
                _stored.Dispose();
                Execute(_db, $"PRAGMA cache_size = -{ConnectionCacheKiB}");
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// A prepared INSERT and DELETE stepped through SQLite's C API, as the observation loader does:
    /// the driver's commands allocate a binder per parameter per execution (about 1 KB a row here,
    /// 100 MB for a 600,000-poll file's rows).
    /// </summary>
    private sealed class SqliteDayRollupWriter : Reports.Rollups.DayRollupWriter
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _insert;
        private readonly sqlite3_stmt _delete;

        public SqliteDayRollupWriter(SqliteConnection connection, SqliteTransaction transaction)
        {
            if (transaction.Connection != connection)
            {
                throw new ArgumentException("The transaction belongs to another connection.", nameof(transaction));
            }

            _db = connection.Handle!;
            Check(_db, raw.sqlite3_prepare_v2(_db, $"INSERT INTO store_days ({Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", out _insert));
            Check(_db, raw.sqlite3_prepare_v2(_db, "DELETE FROM store_days WHERE store_key = ?1 AND (?2 IS NULL OR local_date >= ?2)", out _delete));
        }

        public override void DeleteFrom(int storeKey, int? fromDate)
        {
            raw.sqlite3_bind_int(_delete, 1, storeKey);
            _ = fromDate is { } date ? raw.sqlite3_bind_int(_delete, 2, date) : raw.sqlite3_bind_null(_delete, 2);
            var result = raw.sqlite3_step(_delete);
            raw.sqlite3_reset(_delete);
            Check(_db, result);
        }

        public override void Add(in Reports.Rollups.DayRollup row)
        {
            raw.sqlite3_bind_int(_insert, 1, row.StoreKey);
            raw.sqlite3_bind_int(_insert, 2, row.Date);
            raw.sqlite3_bind_int64(_insert, 3, row.Business);
            raw.sqlite3_bind_int64(_insert, 4, row.Up);
            raw.sqlite3_bind_int64(_insert, 5, row.Down);
            raw.sqlite3_bind_int64(_insert, 6, row.Unknown);
            raw.sqlite3_bind_int(_insert, 7, row.Polls);
            raw.sqlite3_bind_int(_insert, 8, row.Active);
            raw.sqlite3_bind_int(_insert, 9, row.Incidents);
            raw.sqlite3_bind_int64(_insert, 10, row.LongestIncident);
            var result = raw.sqlite3_step(_insert);
            raw.sqlite3_reset(_insert);
            Check(_db, result);
        }

        public override void Flush()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _insert.Dispose();
                _delete.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
