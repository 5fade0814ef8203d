using System.Data.Common;
using Dapper;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Import;

/// <summary>
/// Maps store ids to the small integer keys the tables use. Holds one entry per store (never per
/// row) and looks ids up from spans, so the import allocates nothing for stores it already knows.
/// </summary>
internal sealed class StoreRegistry
{
    private readonly Dictionary<string, int> _keys;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<(int Key, string Id)> _added = [];
    private int _nextKey;

    private StoreRegistry(Dictionary<string, int> keys)
    {
        _keys = keys;
        _lookup = keys.GetAlternateLookup<ReadOnlySpan<char>>();
        _nextKey = keys.Count == 0 ? 1 : keys.Values.Max() + 1;
    }

    public static StoreRegistry Load(DbConnection connection, DbTransaction? transaction = null)
    {
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, id) in connection.Query<(int, string)>("SELECT store_key, store_id FROM stores", transaction: transaction))
        {
            keys[id] = key;
        }

        return new StoreRegistry(keys);
    }

    /// <summary>
    /// Reads the stores again at the start of a transaction of a long import, when nothing of its own
    /// is pending: it learns those other writers registered meanwhile (POST /polls, on this node or
    /// another one), so that a new store's key follows theirs, and forgets those it saved in a
    /// transaction that then failed to commit (on a Galera cluster, a lost certification), which
    /// would otherwise be taken as stored.
    /// </summary>
    public void Refresh(DbConnection connection, DbTransaction transaction)
    {
        _keys.Clear();
        _added.Clear();
        foreach (var (key, id) in connection.Query<(int, string)>("SELECT store_key, store_id FROM stores", transaction: transaction))
        {
            _keys[id] = key;
        }

        _nextKey = _keys.Count == 0 ? 1 : _keys.Values.Max() + 1;
    }

    public int GetOrAdd(ReadOnlySpan<char> storeId)
    {
        if (_lookup.TryGetValue(storeId, out var key))
        {
            return key;
        }

        key = _nextKey++;
        var id = storeId.ToString();
        _keys.Add(id, key);
        _added.Add((key, id));
        return key;
    }

    /// <summary>The id of a key, for the rare messages that name a store (a scan, not an index).</summary>
    public string IdOf(int key) => _keys.FirstOrDefault(p => p.Value == key).Key ?? $"#{key}";

    /// <summary>Writes the stores first seen since the last save, inside the file's transaction.</summary>
    public void SaveAdded(DbConnection connection, DbTransaction transaction)
    {
        using var insert = new BatchInserter(connection, transaction, "INSERT", "stores", ["store_key", "store_id"]);
        foreach (var (key, id) in _added)
        {
            insert.Add(key, id);
        }

        insert.Flush();
        _added.Clear();
    }

    /// <summary>Forgets the stores added since the last save, after their file was rolled back.</summary>
    public void DiscardAdded()
    {
        foreach (var (_, id) in _added)
        {
            _keys.Remove(id);
        }

        _nextKey -= _added.Count;
        _added.Clear();
    }
}
