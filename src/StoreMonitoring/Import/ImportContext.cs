using System.Data.Common;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Import;

/// <summary>What a reader writes into: one file's transaction, the store keys and the accepted time range.</summary>
internal sealed record ImportContext(
    DbConnection Connection,
    DbTransaction Transaction,
    SqlDialect Dialect,
    StoreRegistry Stores,
    (long From, long To) Range,
    CancellationToken CancellationToken)
{
    /// <summary>Per store, the earliest poll the file brought (long.MinValue: the store's hours or zone changed): whose incidents to recompute.</summary>
    public Dictionary<int, long> Touched { get; } = [];

    /// <summary>Whether a snapshot may remove most of the stored rows (the caller said it means it: <c>allow_shrink</c>).</summary>
    public bool AllowShrink { get; init; }

    /// <summary>Once the file is read: whether it ended without a final newline.</summary>
    public Func<bool> EndsInsideLine { get; init; } = static () => false;

    public void Touch(int storeKey, long earliest)
    {
        if (!Touched.TryGetValue(storeKey, out var known) || earliest < known)
        {
            Touched[storeKey] = earliest;
        }
    }
}

/// <summary>What a reader did with one file, before the run adds timing and rejections.</summary>
internal sealed record FileOutcome(
    long RowsRead, long Imported, long Unchanged, long Conflicts, IReadOnlyList<RejectedRow> ConflictExamples, long? Replaced = null, long? Removed = null);
