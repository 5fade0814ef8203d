using System.Collections.Frozen;

namespace StoreMonitoring.Storage;

/// <summary>
/// The one mapping between a queue's status enum and the strings its rows store (and the API shows):
/// SQL takes a status from here (<see cref="Sql"/>) and reads go back through <see cref="Parse"/>,
/// so no spelling is written out twice.
/// </summary>
/// <remarks>Built once per enum; every value must be mapped, to a name that is safe inside an SQL string literal.</remarks>
public sealed class StoredStatuses<TStatus>
    where TStatus : struct, Enum
{
    private readonly FrozenDictionary<TStatus, string> _names;
    private readonly FrozenDictionary<string, TStatus> _values;

    public StoredStatuses(params (TStatus Status, string Stored)[] map)
    {
        foreach (var status in Enum.GetValues<TStatus>())
        {
            if (!map.Any(m => m.Status.Equals(status)))
            {
                throw new ArgumentException($"{typeof(TStatus).Name}.{status} has no stored name.", nameof(map));
            }
        }

        if (map.Any(m => m.Stored.Length == 0 || !m.Stored.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            throw new ArgumentException("A stored status is made of letters, digits and underscores.", nameof(map));
        }

        _names = map.ToFrozenDictionary(m => m.Status, m => m.Stored);
        _values = map.ToFrozenDictionary(m => m.Stored, m => m.Status, StringComparer.Ordinal);
    }

    /// <summary>Every status with its stored name, in the enum's order.</summary>
    public IEnumerable<(TStatus Status, string Stored)> All => Enum.GetValues<TStatus>().Select(s => (s, _names[s]));

    /// <summary>The stored (and shown) name.</summary>
    public string Name(TStatus status) => _names[status];

    /// <summary>The stored name as an SQL string literal, for a statement's fixed conditions and assignments.</summary>
    public string Sql(TStatus status) => $"'{_names[status]}'";

    /// <summary>An SQL list of stored names, for <c>status IN (...)</c>.</summary>
    public string SqlList(params TStatus[] statuses) => string.Join(", ", statuses.Select(Sql));

    /// <summary>The status a stored name means; a name this version does not know is an error.</summary>
    public TStatus Parse(string stored) => _values.TryGetValue(stored, out var status)
        ? status
        : throw new InvalidOperationException($"'{stored}' is not a stored {typeof(TStatus).Name}.");
}
