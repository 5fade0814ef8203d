using System.Data.Common;
using MySqlConnector;

namespace StoreMonitoring.Storage;

public sealed class MySqlDialect : SqlDialect
{
    // Rows sent per LOAD DATA statement: large enough to amortise the round trip and give the sort
    // long runs per store, small enough that the buffers (rows, plus two chunks of text) stay near
    // 15 MB however big the file is. 50k, 1M and whole-file chunks measured no faster on 2M rows.
    private const int ChunkRows = 250_000;

    public override string Name => "mysql";

    public override string InsertIgnore => "INSERT IGNORE";

    public override bool MigrateOnStartByDefault => false;

    public override DbDataSource CreateDataSource(string connectionString)
    {
        // UseAffectedRows off whatever the configured string says: the lease and job UPDATEs count
        // matched rows (as SQLite does), and a renewal that writes the same values still matches.
        var builder = new MySqlConnectionStringBuilder(connectionString) { AllowLoadLocalInfile = true, AllowUserVariables = true, UseAffectedRows = false };
        return new MySqlDataSource(builder.ConnectionString);
    }

    public override async Task PrepareConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        // Store ids compare byte for byte, as in SQLite, so both engines sort reports alike.
        command.CommandText = "SET time_zone = '+00:00', NAMES utf8mb4 COLLATE utf8mb4_bin";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override ObservationLoader CreateObservationLoader(DbConnection connection, DbTransaction transaction) =>
        new MySqlObservationLoader((MySqlConnection)connection);

    /// <summary>
    /// Sends validated rows as tab-separated text through <c>LOAD DATA LOCAL INFILE ... IGNORE</c>,
    /// a chunk at a time, each chunk sorted by the primary key, the server loading one chunk while
    /// the importer parses the next.
    /// </summary>
    /// <remarks>
    /// InnoDB clusters <c>store_status</c> on (store, time). Status exports come in time order, so unsorted
    /// rows land all over the tree and split pages everywhere; sorted, they mostly append. Measured
    /// on 2M rows: about 30% less server CPU, and a re-import of the same file gains as much.
    /// </remarks>
    private sealed class MySqlObservationLoader(MySqlConnection connection) : ObservationLoader
    {
        private readonly List<(int StoreKey, long ObservedAtUs, bool Active)> _rows = [];
        private readonly byte[] _line = new byte[64];
        private MemoryStream _buffer = new();
        private MemoryStream? _loadingBuffer;
        private Task<int>? _loading;
        private long _inserted;

        public override void Add(int storeKey, long observedAtUs, bool active)
        {
            _rows.Add((storeKey, observedAtUs, active));
            if (_rows.Count >= ChunkRows)
            {
                Flush();
            }
        }

        public override long Complete()
        {
            Flush();
            WaitForLoad();
            return _inserted;
        }

        private void Flush()
        {
            if (_rows.Count == 0)
            {
                return;
            }

            _rows.Sort();
            _buffer.SetLength(0);
            foreach (var (storeKey, observedAtUs, active) in _rows)
            {
                var length = 0;
                storeKey.TryFormat(_line, out var written);
                length += written;
                _line[length++] = (byte)'\t';
                observedAtUs.TryFormat(_line.AsSpan(length), out written);
                length += written;
                _line[length++] = (byte)'\t';
                _line[length++] = active ? (byte)'1' : (byte)'0';
                _line[length++] = (byte)'\n';
                _buffer.Write(_line, 0, length);
            }

            _rows.Clear();

            // One statement at a time on a connection: the previous chunk must be in first.
            var free = WaitForLoad() ?? new MemoryStream();
            var loader = new MySqlBulkLoader(connection)
            {
                TableName = "store_status",
                Local = true,
                // The loader disposes its source stream once sent, so it gets a read-only view of
                // the buffer, which is then reused for a later chunk.
                SourceStream = new MemoryStream(_buffer.GetBuffer(), 0, (int)_buffer.Length, writable: false),
                FieldTerminator = "\t",
                LineTerminator = "\n",
                ConflictOption = MySqlBulkLoaderConflictOption.Ignore,
                CharacterSet = "utf8mb4",
            };
            loader.Columns.AddRange(["store_key", "observed_at_us", "active"]);
            _loading = loader.LoadAsync();
            _loadingBuffer = _buffer;
            _buffer = free;
        }

        /// <summary>Waits for the chunk being loaded, if any, and returns its buffer for reuse.</summary>
        private MemoryStream? WaitForLoad()
        {
            if (_loading is null)
            {
                return null;
            }

            var buffer = _loadingBuffer;
            try
            {
                _inserted += _loading.GetAwaiter().GetResult();
            }
            finally
            {
                _loading = null;
                _loadingBuffer = null;
            }

            return buffer;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // A load still running when the import fails must end before the transaction can
                // roll back on this connection; its own error, if any, is the lesser one.
                try
                {
                    WaitForLoad()?.Dispose();
                }
                catch (Exception ex) when (ex is MySqlException or IOException or InvalidOperationException or OperationCanceledException)
                {
                }

                _buffer.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
