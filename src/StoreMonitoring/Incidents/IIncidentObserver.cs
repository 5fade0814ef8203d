namespace StoreMonitoring.Incidents;

public sealed record IncidentSnapshot(string IncidentId, int StoreKey, string StoreId, long StartUs, long? EndUs, long DownUs, int Polls, string TimeZone);

/// Called inside the transaction that changed incidents, once per changed incident with its state before (null when new) and after (null when gone).
public interface IIncidentObserver
{
    void OnChanged(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, IReadOnlyList<(IncidentSnapshot? Before, IncidentSnapshot? After)> changes);
}
