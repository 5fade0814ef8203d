namespace StoreMonitoring.Storage;

/// <summary>Stores whose key lies between two keys, both included: what one report shard computes.</summary>
public readonly record struct StoreKeyRange(int First, int Last)
{
    public static StoreKeyRange All => new(int.MinValue, int.MaxValue);
}
