using System.Data.Common;
using Dapper;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Import;

/// <summary>
/// Maps store ids to the small integer keys the tables use. Holds one entry per store (never per
/// row) and looks ids up from spans, so the import allocates nothing for stores it already knows.
/// A store it does not know is registered at once in the current transaction, and the database
/// assigns its key (<see cref="SqlDialect.RegisterStoreSql"/>): two writers registering stores at
/// the same time cannot take the same key, and one that registers a store another writer just
/// registered gets that store's key.
/// </summary>
internal sealed class StoreRegistry : IDisposable
{
    private readonly SqlDialect _dialect;
    private readonly Dictionary<string, int> _keys;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _added = [];
    private DbCommand? _register;

    /// <summary>The bulk load sharing the connection: a registration waits for its chunk in flight (MySQL loads one while the next is parsed).</summary>
    public ObservationLoader? SharingWith { get; set; }
    private DbParameter? _id;

    private StoreRegistry(SqlDialect dialect, Dictionary<string, int> keys)
    {
        _dialect = dialect;
        _keys = keys;
        _lookup = keys.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Reads every store; new ones are registered in <paramref name="transaction"/>, or in the one <see cref="Begin"/> names later.</summary>
    public static StoreRegistry Load(SqlDialect dialect, DbConnection connection, DbTransaction? transaction = null)
    {
        var registry = new StoreRegistry(dialect, new Dictionary<string, int>(StringComparer.Ordinal));
        if (transaction is null)
        {
            registry.Read(connection, null);
        }
        else
        {
            registry.Begin(connection, transaction);
        }

        return registry;
    }

    /// <summary>
    /// New stores are registered in <paramref name="transaction"/> from now on. Reads the stores
    /// again first, when nothing of this registry's is pending: it forgets those it registered in
    /// a transaction that then failed to commit (on a Galera cluster, a lost certification), which
    /// would otherwise be taken as stored, and learns those other writers registered meanwhile.
    /// </summary>
    public void Begin(DbConnection connection, DbTransaction transaction)
    {
        _register?.Dispose();
        _added.Clear();
        SharingWith = null;
        Read(connection, transaction);
        _register = connection.CreateCommand();
        _register.Transaction = transaction;
        _register.CommandText = _dialect.RegisterStoreSql;
        _id = _register.CreateParameter();
        _id.ParameterName = "@id";
        _register.Parameters.Add(_id);
    }

    private void Read(DbConnection connection, DbTransaction? transaction)
    {
        _keys.Clear();
        foreach (var (key, id) in connection.Query<(int, string)>("SELECT store_key, store_id FROM stores", transaction: transaction))
        {
            _keys[id] = key;
        }
    }

    public int GetOrAdd(ReadOnlySpan<char> storeId)
    {
        if (_lookup.TryGetValue(storeId, out var key))
        {
            return key;
        }

        if (_register is null || _id is null)
        {
            throw new InvalidOperationException("a new store needs a transaction to be registered in: call Begin first");
        }

        var id = storeId.ToString();
        SharingWith?.FreeConnection();
        _id.Value = id;
        key = Convert.ToInt32(_register.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        _keys.Add(id, key);
        _added.Add(id);
        return key;
    }

    /// <summary>The id of a key, for the rare messages that name a store (a scan, not an index).</summary>
    public string IdOf(int key) => _keys.FirstOrDefault(p => p.Value == key).Key ?? $"#{key}";

    /// <summary>Forgets the stores registered since <see cref="Begin"/>, after their transaction was rolled back (or failed to commit).</summary>
    public void DiscardAdded()
    {
        foreach (var id in _added)
        {
            _keys.Remove(id);
        }

        _added.Clear();
    }

    public void Dispose() => _register?.Dispose();
}
