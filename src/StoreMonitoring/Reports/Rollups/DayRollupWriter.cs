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
    protected internal const string Columns = "store_key, local_date, business_us, up_us, down_us, unknown_us, polls_in_hours, active_in_hours, incidents, longest_incident_us";

    /// <summary>Deletes the store's rows from <paramref name="fromDate"/> on (all its rows when null) before its new ones are added.</summary>
    public abstract void DeleteFrom(int storeKey, int? fromDate);

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

    public override void DeleteFrom(int storeKey, int? fromDate)
    {
        // Deletes go before any insert of the same flush: flushing the inserts first keeps the order.
        if (_rows > 0)
        {
            Flush();
        }

        _deletes.Append(_deleteCount == 0 ? "DELETE FROM store_days WHERE " : " OR ");
        if (fromDate is { } date)
        {
            _deletes.Append(CultureInfo.InvariantCulture, $"(store_key = {storeKey} AND local_date >= {date})");
        }
        else
        {
            _deletes.Append(CultureInfo.InvariantCulture, $"(store_key = {storeKey})");
        }

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
