using System.Data.Common;
using Dapper;

namespace StoreMonitoring.Stores;

/// <summary>
/// Every store's profile, kept in memory while the database's profile version says it is current:
/// a batch of polls then reads one number instead of every store's hours and zone.
/// </summary>
public sealed class StoreProfileCache
{
    private readonly Lock _gate = new();
    private (long Version, Dictionary<int, StoreProfile> Profiles)? _cached;

    /// <summary>
    /// Gives the profiles a new version inside the transaction that changes hours or zones. A random
    /// one, not a count: a change rolled back must never share its version with a later one.
    /// </summary>
    public static void Invalidate(DbConnection connection, DbTransaction transaction) =>
        connection.Execute("UPDATE profile_version SET version = @version WHERE id = 1", new { version = Random.Shared.NextInt64() }, transaction);

    /// <summary>The profiles as of the caller's transaction, covering at least <paramref name="keys"/>.</summary>
    public IReadOnlyDictionary<int, StoreProfile> Get(DbConnection connection, DbTransaction? transaction, IEnumerable<int> keys)
    {
        var version = connection.ExecuteScalar<long>("SELECT version FROM profile_version WHERE id = 1", transaction: transaction);
        lock (_gate)
        {
            // A store registered since (its polls arrive before any hours) is not a change of
            // version, but it is missing: reload then too.
            if (_cached is { } cached && cached.Version == version && keys.All(cached.Profiles.ContainsKey))
            {
                return cached.Profiles;
            }
        }

        var profiles = StoreProfiles.Load(connection, transaction);
        lock (_gate)
        {
            _cached = (version, profiles);
        }

        return profiles;
    }
}
