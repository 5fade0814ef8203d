namespace StoreMonitoring.Reports;

/// <summary>
/// Orders store ids by Unicode code point, which is how both databases compare them (UTF-8 bytes
/// in SQLite, utf8mb4_bin in MySQL); plain ordinal order on UTF-16 differs above U+D7FF.
/// </summary>
public static class StoreIdOrder
{
    public static int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            char a = x[i], b = y[i];
            if (a != b)
            {
                // Surrogates (U+D800-DFFF) stand for code points above U+FFFF: they sort after U+E000-FFFF.
                var aHigh = char.IsSurrogate(a);
                var bHigh = char.IsSurrogate(b);
                if (aHigh != bHigh && (a >= '\uE000' || b >= '\uE000'))
                {
                    return aHigh ? 1 : -1;
                }

                return a.CompareTo(b);
            }
        }

        return x.Length.CompareTo(y.Length);
    }
}
