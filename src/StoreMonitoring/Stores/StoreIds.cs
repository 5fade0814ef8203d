using System.Buffers;

namespace StoreMonitoring.Stores;

/// <summary>What a store id must be, wherever it comes from (a file, a poll batch, a URL).</summary>
public static class StoreIds
{
    public const int MaxLength = 255;

    // C0 and C1 controls and DEL: invisible in a report, and NUL or a line break in an id breaks
    // whatever reads the report next.
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007F', .. Enumerable.Range(0x80, 0x20).Select(c => (char)c)]);

    /// <summary>Why <paramref name="storeId"/> is unusable, or null when it is fine.</summary>
    public static string? Problem(ReadOnlySpan<char> storeId) =>
        storeId.IsEmpty ? "empty store_id"
        : storeId.Length > MaxLength ? $"store_id longer than {MaxLength} characters"
        : storeId.ContainsAny(ControlCharacters) ? "store_id contains a control character"
        : null;
}
