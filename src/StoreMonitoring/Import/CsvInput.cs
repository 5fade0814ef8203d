using nietras.SeparatedValues;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Import;

/// <summary>What the three readers share: the CSV dialect, the header check and the per-row checks.</summary>
internal static class CsvInput
{

    public static SepReader Open(CheckedTextReader text, params string[] columns)
    {
        try
        {
            return Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, Trim = SepTrim.All }).From(text);
        }
        catch (ArgumentException ex)
        {
            // Sep refuses a header that names a column twice. The name is said back only when it
            // is one the import expects: the message never echoes the file's own text.
            var name = columns.FirstOrDefault(c => ex.Message.Contains($"'{c}'", StringComparison.OrdinalIgnoreCase));
            throw new InvalidInputFileException($"bad header on line 1: duplicate column{(name is null ? " name" : $" '{name}'")}; nothing of this file was applied");
        }
    }

    /// <summary>
    /// Finds each wanted column (any of its accepted names, case-insensitive) or refuses the whole
    /// file. The message names only the expected columns, never the file's own text.
    /// </summary>
    public static readonly string[] AllColumns = ["store_id", "status", "timestamp_utc", "dayOfWeek", "day", "start_time_local", "end_time_local", "timezone_str"];

    public static int[] RequireColumns(SepReader reader, params string[][] wanted)
    {
        var names = reader.Header.ColNames.Select(n => n.Trim().TrimStart('\uFEFF').Trim()).ToList();
        var expected = string.Join(",", wanted.Select(w => string.Join("|", w)));
        if (names.Count == 0 || names.All(n => n.Length == 0))
        {
            throw new InvalidInputFileException($"bad header: the file is empty; expected columns {expected}; nothing of this file was applied");
        }

        var duplicate = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Key.Length > 0 && g.Count() > 1);
        if (duplicate is not null && wanted.Any(w => w.Contains(duplicate.Key, StringComparer.OrdinalIgnoreCase)))
        {
            throw new InvalidInputFileException($"bad header: duplicate column '{wanted.SelectMany(w => w).First(w => string.Equals(w, duplicate.Key, StringComparison.OrdinalIgnoreCase))}' on line 1; nothing of this file was applied");
        }

        var indexes = new int[wanted.Length];
        for (var i = 0; i < wanted.Length; i++)
        {
            indexes[i] = names.FindIndex(n => wanted[i].Any(w => string.Equals(n, w, StringComparison.OrdinalIgnoreCase)));
            if (indexes[i] < 0)
            {
                throw new InvalidInputFileException($"bad header: expected columns {expected}, column {string.Join("|", wanted[i])} is missing; nothing of this file was applied");
            }
        }

        return indexes;
    }

    /// <summary>
    /// No field of these files holds a line break. One line break inside quotes is a bad value (the
    /// row is rejected for its control character); a quoted field that runs on further is an
    /// unterminated or stray quote swallowing the rows after it, so the whole file is refused.
    /// </summary>
    /// <returns>False when the row spans two lines and must be rejected.</returns>
    public static bool EnsureOneLine(SepReader.Row row, RejectedRows rejected)
    {
        var lines = row.LineNumberToExcl - row.LineNumberFrom;
        if (lines <= 1)
        {
            return true;
        }

        EnsureNoRunawayQuote(row);
        rejected.Add(row, "a control character (a line break) inside a quoted field");
        return false;
    }

    /// <summary>Refuses the whole file for a row that <see cref="EnsureOneLine"/> would refuse it for, and only for that.</summary>
    public static void EnsureNoRunawayQuote(SepReader.Row row)
    {
        var lines = row.LineNumberToExcl - row.LineNumberFrom;
        if (lines > 2 || (lines == 2 && row.Span.Count('"') % 2 != 0))
        {
            throw new InvalidInputFileException(
                $"line {row.LineNumberFrom}: unterminated quote (a quoted field runs on to line {row.LineNumberToExcl - 1}); nothing of this file was applied");
        }
    }


    /// <summary>What every kind of row needs: the header's column count and a usable store id.</summary>
    public static bool TryStoreId(SepReader.Row row, int width, int storeColumn, RejectedRows rejected, out ReadOnlySpan<char> storeId)
    {
        storeId = default;
        if (row.ColCount != width)
        {
            rejected.Add(row, $"expected {width} columns, found {row.ColCount}");
            return false;
        }

        storeId = row[storeColumn].Span;
        var problem = StoreIds.Problem(storeId);
        if (problem is not null)
        {
            rejected.Add(row, problem);
            return false;
        }

        return true;
    }
}

/// <summary>The rows of one file that were skipped: a count, and the first few with line and reason.</summary>
public sealed class RejectedRows
{
    public const int MaxExamples = 20;
    private const int MaxShownChars = 200;

    private readonly List<RejectedRow> _examples = [];

    public long Count { get; private set; }

    /// <summary>The line of the last row rejected (0: none).</summary>
    public long LastLine { get; private set; }

    public IReadOnlyList<RejectedRow> Examples => _examples;

    public void Add(long line, string reason, ReadOnlySpan<char> text)
    {
        Count++;
        LastLine = line;
        if (_examples.Count < MaxExamples)
        {
            var shown = text.Length > MaxShownChars ? string.Concat(text[..MaxShownChars], "...") : text.ToString();
            _examples.Add(new RejectedRow(line, reason, Printable(shown)));
        }
    }

    internal void Add(SepReader.Row row, string reason) => Add(row.LineNumberFrom, reason, row.Span);

    // Control characters are shown escaped: the example must be readable and safe to echo.
    private static string Printable(string text) => StoreIds.Printable(text);
}
