using System.Data.Common;
using Dapper;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Incidents;

/// <summary>
/// An update's writes to <c>incidents</c>, gathered and then sent in batches: a poll batch touching
/// thousands of stores changes hundreds of incidents, and a statement each would cost more than
/// the maths. A changed incident is deleted and inserted again under its own id.
/// </summary>
internal sealed class IncidentWrites(DbConnection connection, DbTransaction transaction)
{
    private const int IdsPerDelete = 200;

    private static readonly string[] Columns = ["incident_id", "store_key", "start_us", "end_us", "down_us", "polls", "first_poll_us", "last_poll_us", "updated_at_us"];

    private readonly List<string> _deletes = [];
    private readonly List<object?[]> _inserts = [];

    public void Insert(string id, int storeKey, Incident incident, long now) =>
        _inserts.Add([id, storeKey, incident.Start, incident.End, incident.DownMicros, incident.Polls, incident.FirstPoll, incident.LastPoll, now]);

    public void Rewrite(string id, int storeKey, Incident incident, long now)
    {
        _deletes.Add(id);
        Insert(id, storeKey, incident, now);
    }

    public void Delete(string id) => _deletes.Add(id);

    public void Apply()
    {
        foreach (var chunk in _deletes.Chunk(IdsPerDelete))
        {
            connection.Execute("DELETE FROM incidents WHERE incident_id IN @ids", new { ids = chunk }, transaction);
        }

        using var insert = new BatchInserter(connection, transaction, "INSERT", "incidents", Columns);
        foreach (var row in _inserts)
        {
            insert.Add(row);
        }

        insert.Flush();
        _deletes.Clear();
        _inserts.Clear();
    }
}
