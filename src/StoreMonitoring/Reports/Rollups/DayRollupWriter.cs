using System.Data.Common;
using System.Globalization;
using System.Text;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>
/// Writes <c>store_days</c> rows inside a transaction without a boxed object array per row: each
/// engine spells its fastest way (see <see cref="Storage.SqlDialect.CreateDayRollupWriter"/>).
/// </summary>
public abstract class DayRollupWriter : IDisposable
{
    internal const string Columns = "store_key, local_date, business_us, up_us, down_us, unknown_us, polls_in_hours, active_in_hours, incidents, longest_incident_us";

    /// <summary>Deletes the store's rows from <paramref name="fromDate"/> on (all with int.MinValue) before its new ones are added.</summary>
    public abstract void DeleteFrom(int storeKey, int fromDate);

    public abstract void Add(in DayRollup row);

    /// <summary>Sends what is buffered.</summary>
    public abstract void Flush();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// One prepared INSERT and one prepared DELETE, reused: an embedded engine has no round trip to
/// save. A parameter keeps its boxed value while the next row's is the same (a store's key, its
/// business time, the many zeros), so most rows allocate nothing.
/// </summary>
internal sealed class PreparedDayRollupWriter : DayRollupWriter
{
    private readonly DbCommand _insert;
    private readonly DbCommand _delete;
    private readonly DbParameter[] _values = new DbParameter[10];
    private readonly long[] _last = new long[10];
    private readonly DbParameter _deleteKey;
    private readonly DbParameter _deleteFrom;

    public PreparedDayRollupWriter(DbConnection connection, DbTransaction transaction)
    {
        _insert = connection.CreateCommand();
        _insert.Transaction = transaction;
        _insert.CommandText = $"INSERT INTO store_days ({Columns}) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9)";
        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] = Parameter(_insert, $"@p{i}");
            _last[i] = long.MinValue;
        }

        _delete = connection.CreateCommand();
        _delete.Transaction = transaction;
        _delete.CommandText = "DELETE FROM store_days WHERE store_key = @key AND local_date >= @from";
        _deleteKey = Parameter(_delete, "@key");
        _deleteFrom = Parameter(_delete, "@from");
    }

    public override void DeleteFrom(int storeKey, int fromDate)
    {
        _deleteKey.Value = storeKey;
        _deleteFrom.Value = fromDate;
        _delete.ExecuteNonQuery();
    }

    public override void Add(in DayRollup row)
    {
        Set(0, row.StoreKey);
        Set(1, row.Date);
        Set(2, row.Business);
        Set(3, row.Up);
        Set(4, row.Down);
        Set(5, row.Unknown);
        Set(6, row.Polls);
        Set(7, row.Active);
        Set(8, row.Incidents);
        Set(9, row.LongestIncident);
        _insert.ExecuteNonQuery();
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

    private void Set(int index, long value)
    {
        if (_last[index] != value)
        {
            _values[index].Value = value;
            _last[index] = value;
        }
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = System.Data.DbType.Int64;
        parameter.Value = 0L;
        command.Parameters.Add(parameter);
        return parameter;
    }
}

/// <summary>
/// Multi-row statements with the integers written into the text (they are only integers, so
/// nothing to escape), one reused builder: one round trip per few hundred rows to a server. The
/// rows go in as the engine's upsert, so a row whose delete was batched behind it cannot collide.
/// </summary>
internal sealed class MultiRowDayRollupWriter(DbConnection connection, DbTransaction transaction, string upsertTail) : DayRollupWriter
{
    private const int RowsPerStatement = 500;
    private readonly StringBuilder _inserts = new(64 * 1024);
    private readonly StringBuilder _deletes = new(4 * 1024);
    private int _rows;
    private int _deleteCount;

    public override void DeleteFrom(int storeKey, int fromDate)
    {
        // Deletes go before any insert of the same flush: flushing the inserts first keeps the order.
        if (_rows > 0)
        {
            Flush();
        }

        _deletes.Append(_deleteCount == 0 ? "DELETE FROM store_days WHERE " : " OR ")
            .Append(CultureInfo.InvariantCulture, $"(store_key = {storeKey} AND local_date >= {fromDate})");
        if (++_deleteCount == RowsPerStatement)
        {
            FlushDeletes();
        }
    }

    public override void Add(in DayRollup row)
    {
        FlushDeletes();
        _inserts.Append(_rows == 0 ? $"INSERT INTO store_days ({Columns}) VALUES " : ",")
            .Append(CultureInfo.InvariantCulture, $"({row.StoreKey},{row.Date},{row.Business},{row.Up},{row.Down},{row.Unknown},{row.Polls},{row.Active},{row.Incidents},{row.LongestIncident})");
        if (++_rows == RowsPerStatement)
        {
            Flush();
        }
    }

    public override void Flush()
    {
        FlushDeletes();
        if (_rows == 0)
        {
            return;
        }

        _inserts.Append(upsertTail);
        Execute(_inserts);
        _rows = 0;
    }

    private void FlushDeletes()
    {
        if (_deleteCount == 0)
        {
            return;
        }

        Execute(_deletes);
        _deleteCount = 0;
    }

    private void Execute(StringBuilder sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql.ToString();
        command.ExecuteNonQuery();
        sql.Clear();
    }
}
