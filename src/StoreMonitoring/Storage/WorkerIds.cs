namespace StoreMonitoring.Storage;

/// <summary>
/// The one format of who holds a lease or claimed a row: <c>{instance}:{process id}:{random}</c>.
/// The instance is <c>Reports:InstanceName</c> or the machine's name; the random part tells apart
/// the holders of one process (a test runs several instances in one).
/// </summary>
public static class WorkerIds
{
    public static string New(string? instance = null) =>
        // A version 7 id's last 12 hex digits are random (its first ones are the clock's).
        $"{instance ?? Environment.MachineName}:{Environment.ProcessId}:{Guid.CreateVersion7().ToString("N")[^12..]}";
}
