using System.Data.Common;

namespace StoreMonitoring.Import;

/// <summary>Told when an import run has been recorded, on the connection that recorded it.</summary>
public interface IImportObserver
{
    void OnCompleted(DbConnection connection, DbTransaction? transaction, ImportSummary summary);
}
