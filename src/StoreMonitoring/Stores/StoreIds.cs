using System.Buffers;
using System.Globalization;
using System.Text;

namespace StoreMonitoring.Stores;

/// <summary>
/// The store id alphabet, the one rule for every way an id arrives (a file, a poll batch, a
/// <c>PUT /stores/{id}</c>, a webhook's store list). An accepted id is kept exactly as given (no
/// case folding, trimming or Unicode normalisation: ids are opaque keys, and folding would merge
/// two stores), and is one that every layer can carry: a URL path segment once percent-encoded, a
/// CSV field, a terminal line, the dashboard.
/// </summary>
public static class StoreIds
{
    public const int MaxLength = 255;

    // C0 and C1 controls and DEL: invisible in a report, and NUL or a line break in an id breaks
    // whatever reads the report next.
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007F', .. Enumerable.Range(0x80, 0x20).Select(c => (char)c)]);

    // A path separator splits a /stores/{id} route (servers keep an encoded %2F undecoded, or
    // refuse it), and a backslash is one on some clients and proxies.
    private static readonly SearchValues<char> Separators = SearchValues.Create("/\\");

    /// <summary>Why <paramref name="storeId"/> is unusable, or null when it is fine.</summary>
    public static string? Problem(ReadOnlySpan<char> storeId)
    {
        if (storeId.IsEmpty)
        {
            return "empty store_id";
        }

        if (storeId.Length > MaxLength)
        {
            return $"store_id longer than {MaxLength} characters";
        }

        if (storeId.ContainsAny(ControlCharacters))
        {
            return "store_id contains a control character";
        }

        if (storeId.ContainsAny(Separators))
        {
            return "store_id contains '/' or '\\' (it could not be a URL path segment)";
        }

        // The text of an encoded separator: servers leave %2F undecoded in a path (so /stores/a%2Fb
        // would be this id and the id a/b at once), and proxies differ in whether they decode it.
        if (storeId.Contains("%2F", StringComparison.OrdinalIgnoreCase) || storeId.Contains("%5C", StringComparison.OrdinalIgnoreCase))
        {
            return "store_id contains '%2F' or '%5C', an encoded '/' or '\\' (proxies may decode it into a path separator)";
        }

        if (storeId is "." or "..")
        {
            return "store_id is '.' or '..' (a URL path would resolve it away)";
        }

        for (var i = 0; i < storeId.Length; i++)
        {
            var c = storeId[i];
            if (char.IsHighSurrogate(c) && i + 1 < storeId.Length && char.IsLowSurrogate(storeId[i + 1]))
            {
                i++;
                continue;
            }

            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Surrogate:
                    return "store_id contains a lone surrogate (not a Unicode character; it has no UTF-8 form)";
                case UnicodeCategory.Format:
                    // U+200B zero-width space, U+202E right-to-left override, U+FEFF, U+2066-U+2069 isolates, ...:
                    // they make two different ids look alike, or reorder what is printed after them.
                    return $"store_id contains an invisible format or bidirectional control character (U+{(int)c:X4})";
                case UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    return $"store_id contains a line or paragraph separator (U+{(int)c:X4})";
            }

            if (c is '\uFFFE' or '\uFFFF')
            {
                return $"store_id contains a Unicode noncharacter (U+{(int)c:X4})";
            }
        }

        return null;
    }

    /// <summary>The id as one URL path segment: <c>/stores/{Escape(id)}</c> reaches the store.</summary>
    public static string Escape(string storeId) => Uri.EscapeDataString(storeId);

    /// <summary>
    /// Text that came from input, made safe to print on a terminal: control characters (ESC, CR,
    /// BEL, the C1 CSI, ...), format and bidirectional controls and lone surrogates become
    /// <c>\uXXXX</c>.
    /// </summary>
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        if (!NeedsEscape(text))
        {
            return text;
        }

        var shown = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                shown.Append(c).Append(text[++i]);
            }
            else if (Unsafe(c))
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                shown.Append(c);
            }
        }

        return shown.ToString();
    }

    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (Unsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Unsafe(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
