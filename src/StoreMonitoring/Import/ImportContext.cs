using System.Data.Common;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Import;

/// <summary>What a reader writes into: one file's transaction, the store keys and the accepted time range.</summary>
internal sealed record ImportContext(
    DbConnection Connection,
    DbTransaction Transaction,
    SqlDialect Dialect,
    StoreRegistry Stores,
    TimeRange Range,
    CancellationToken CancellationToken)
{
    /// <summary>Per store, the earliest poll the file brought (null: the store's hours or zone changed, so all of it): whose incidents to recompute.</summary>
    public Dictionary<int, long?> Touched { get; } = [];

    /// <summary>Whether a snapshot may remove most of the stored rows (the caller said it means it: <c>allow_shrink</c>).</summary>
    public bool AllowShrink { get; init; }

    /// <summary>Once the file is read: whether it ended without a final newline.</summary>
    public Func<bool> EndsInsideLine { get; init; } = static () => false;

    public void Touch(int storeKey, long earliest)
    {
        if (!Touched.TryGetValue(storeKey, out var known) || (known is { } before && earliest < before))
        {
            Touched[storeKey] = earliest;
        }
    }

    /// <summary>What all of the store's polls mean changed (its hours): its incidents are recomputed whole.</summary>
    public void TouchWhole(int storeKey) => Touched[storeKey] = null;
}

/// <summary>What a reader did with one file, before the run adds timing and rejections.</summary>
internal sealed record FileOutcome(
    long RowsRead, long Imported, long Unchanged, long Conflicts, IReadOnlyList<RejectedRow> ConflictExamples, long? Replaced = null, long? Removed = null);
