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
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA busy_timeout = 60000;
            PRAGMA foreign_keys = OFF;
            PRAGMA cache_size = -65536;
            PRAGMA temp_store = MEMORY;
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override ObservationLoader CreateObservationLoader(DbConnection connection, DbTransaction transaction) =>
        new SqliteObservationLoader((SqliteConnection)connection, (SqliteTransaction)transaction);

    /// <summary>
    /// Binds and steps one prepared statement through SQLite's C API: no command, reader or boxed
    /// parameter per row, which makes the bulk load several times faster and allocation-free.
    /// </summary>
    private sealed class SqliteObservationLoader : ObservationLoader
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _insert;
        private long _inserted;

        public SqliteObservationLoader(SqliteConnection connection, SqliteTransaction transaction)
        {
            // The statement runs inside the caller's transaction: same connection, same handle.
            _ = transaction;
            _db = connection.Handle!;
            Check(raw.sqlite3_prepare_v2(_db, "INSERT OR IGNORE INTO store_status (store_key, observed_at_us, active) VALUES (?1, ?2, ?3)", out _insert));
        }

        public override void Add(int storeKey, long observedAtUs, bool active)
        {
            raw.sqlite3_bind_int(_insert, 1, storeKey);
            raw.sqlite3_bind_int64(_insert, 2, observedAtUs);
            raw.sqlite3_bind_int(_insert, 3, active ? 1 : 0);
            var result = raw.sqlite3_step(_insert);
            if (result != raw.SQLITE_DONE)
            {
                raw.sqlite3_reset(_insert);
                Check(result);
            }

            _inserted += raw.sqlite3_changes(_db);
            raw.sqlite3_reset(_insert);
        }

        public override long Complete() => _inserted;

        private void Check(int result)
        {
            if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE))
            {
                throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), result);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _insert.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
