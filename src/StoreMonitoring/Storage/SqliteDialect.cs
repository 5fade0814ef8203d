using System.Data.Common;
using Microsoft.Data.Sqlite;

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

    private sealed class SqliteObservationLoader : ObservationLoader
    {
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _storeKey;
        private readonly SqliteParameter _observedAt;
        private readonly SqliteParameter _active;
        private long _inserted;

        public SqliteObservationLoader(SqliteConnection connection, SqliteTransaction transaction)
        {
            _insert = connection.CreateCommand();
            _insert.Transaction = transaction;
            _insert.CommandText = "INSERT OR IGNORE INTO store_status (store_key, observed_at_us, active) VALUES ($k, $t, $a)";
            _storeKey = _insert.Parameters.Add("$k", SqliteType.Integer);
            _observedAt = _insert.Parameters.Add("$t", SqliteType.Integer);
            _active = _insert.Parameters.Add("$a", SqliteType.Integer);
            _insert.Prepare();
        }

        public override void Add(int storeKey, long observedAtUs, bool active)
        {
            _storeKey.Value = storeKey;
            _observedAt.Value = observedAtUs;
            _active.Value = active ? 1 : 0;
            _inserted += _insert.ExecuteNonQuery();
        }

        public override long Complete() => _inserted;

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
