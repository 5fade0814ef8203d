using StoreMonitoring.Stores;

namespace StoreMonitoring.Incidents;


/// <summary>A row of <c>incidents</c>.</summary>
public sealed class StoredIncident
{
    public const string Columns = """
        incident_id AS IncidentId, store_key AS StoreKey, start_us AS StartUs, end_us AS EndUs, down_us AS DownUs,
        polls AS Polls, first_poll_us AS FirstPollUs, last_poll_us AS LastPollUs
        """;

    /// <summary>The same columns, each qualified by a table alias, for joins.</summary>
    public static string ColumnsOf(string alias) =>
        string.Join(", ", Columns.Split(',', StringSplitOptions.TrimEntries).Select(c => $"{alias}.{c}"));

    public required string IncidentId { get; init; }

    public int StoreKey { get; init; }

    public long StartUs { get; init; }

    public long? EndUs { get; init; }

    public long DownUs { get; init; }

    public int Polls { get; init; }

    public long FirstPollUs { get; init; }

    public long LastPollUs { get; init; }

    public bool IsOpen => EndUs is null;

    internal static StoredIncident From(string id, int storeKey, Incident incident) => new()
    {
        IncidentId = id, StoreKey = storeKey, StartUs = incident.Start, EndUs = incident.End, DownUs = incident.DownMicros,
        Polls = incident.Polls, FirstPollUs = incident.FirstPoll, LastPollUs = incident.LastPoll,
    };

    internal bool Matches(Incident incident) =>
        StartUs == incident.Start && EndUs == incident.End && DownUs == incident.DownMicros && Polls == incident.Polls
        && FirstPollUs == incident.FirstPoll && LastPollUs == incident.LastPoll;

    internal IncidentSnapshot Snapshot(StoreProfile store) =>
        new(IncidentId, StoreKey, store.StoreId, StartUs, EndUs, DownUs, Polls, store.Zone.Id);
}
