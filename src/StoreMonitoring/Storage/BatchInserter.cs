using System.Data.Common;
using System.Text;

namespace StoreMonitoring.Storage;

/// <summary>
/// Multi-row parameterised INSERTs: one round trip per batch on MySQL, one statement per batch on
/// SQLite, the same SQL on both.
/// </summary>
internal sealed class BatchInserter : IDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction? _transaction;
    private readonly string _head;
    private readonly string _tail;
    private readonly int _columns;
    private readonly int _rowsPerStatement;
    private readonly List<object?> _values = [];
    private DbCommand? _fullCommand;

    /// <summary>Plain INSERTs (<paramref name="verb"/> <c>INSERT</c>): the same SQL on every engine.</summary>
    public BatchInserter(DbConnection connection, DbTransaction? transaction, string verb, string table, IReadOnlyList<string> columns, int rowsPerStatement = 250)
        : this(connection, transaction, InsertSql.Into(verb, table, columns), columns.Count, rowsPerStatement)
    {
    }

    /// <summary>INSERTs spelled by a dialect, such as <see cref="SqlDialect.InsertUnlessPresent"/>.</summary>
    public BatchInserter(DbConnection connection, DbTransaction? transaction, InsertSql sql, int columns, int rowsPerStatement = 250)
    {
        _connection = connection;
        _transaction = transaction;
        _columns = columns;
        _rowsPerStatement = rowsPerStatement;
        _head = sql.Head;
        _tail = sql.Tail;
    }

    public long Inserted { get; private set; }

    public void Add(params ReadOnlySpan<object?> row)
    {
        if (row.Length != _columns)
        {
            throw new ArgumentException($"Expected {_columns} values, got {row.Length}.", nameof(row));
        }

        foreach (var value in row)
        {
            _values.Add(value);
        }

        if (_values.Count == _columns * _rowsPerStatement)
        {
            Flush();
        }
    }

    public void Flush()
    {
        var rows = _values.Count / _columns;
        if (rows == 0)
        {
            return;
        }

        DbCommand command;
        if (rows == _rowsPerStatement)
        {
            // Full batches reuse one command, so the engine parses that statement once.
            command = _fullCommand ??= CreateCommand(rows);
        }
        else
        {
            command = CreateCommand(rows);
        }

        for (var i = 0; i < _values.Count; i++)
        {
            command.Parameters[i].Value = _values[i] ?? DBNull.Value;
        }

        Inserted += command.ExecuteNonQuery();
        if (!ReferenceEquals(command, _fullCommand))
        {
            command.Dispose();
        }

        _values.Clear();
    }

    private DbCommand CreateCommand(int rows)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        var sql = new StringBuilder(_head);
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < _columns; c++)
            {
                var name = $"@p{r * _columns + c}";
                sql.Append(c == 0 ? name : ", " + name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            sql.Append(')');
        }

        command.CommandText = sql.Append(_tail).ToString();
        return command;
    }

    public void Dispose() => _fullCommand?.Dispose();
}

/// <summary>An INSERT around its VALUES rows: what comes before them (<c>INSERT ... INTO t (a, b) VALUES </c>) and after (empty, or a clause such as <c> ON CONFLICT DO NOTHING</c>).</summary>
public readonly record struct InsertSql(string Head, string Tail)
{
    public static InsertSql Into(string verb, string table, IReadOnlyList<string> columns) =>
        new($"{verb} INTO {table} ({string.Join(", ", columns)}) VALUES ", "");

    /// <summary>The statement for one row of values, e.g. <c>(@a, @b)</c>.</summary>
    public string With(string values) => Head + values + Tail;
}
