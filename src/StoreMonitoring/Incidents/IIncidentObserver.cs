using System.Data.Common;

namespace StoreMonitoring.Incidents;

/// <summary>An incident as observers see it: ids, UTC instants in microseconds, and the store's zone for local times.</summary>
public sealed record IncidentSnapshot(string IncidentId, int StoreKey, string StoreId, long StartUs, long? EndUs, long DownUs, int Polls, string TimeZone);

/// <summary>
/// Told of every incident change inside the transaction that makes it, so that what it writes
/// (an alert in an outbox) commits or rolls back with the change.
/// </summary>
public interface IIncidentObserver
{
    /// <param name="changes">Each changed incident's state before (null when new) and after (null when gone).</param>
    void OnChanged(DbConnection connection, DbTransaction transaction, IReadOnlyList<(IncidentSnapshot? Before, IncidentSnapshot? After)> changes);
}
