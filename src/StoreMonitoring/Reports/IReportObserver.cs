using System.Data.Common;

namespace StoreMonitoring.Reports;

/// <summary>Told when a report job completes, on the connection that completed it.</summary>
public interface IReportObserver
{
    void OnCompleted(DbConnection connection, DbTransaction? transaction, string reportId, string method, long? nowUs, int stores);
}
