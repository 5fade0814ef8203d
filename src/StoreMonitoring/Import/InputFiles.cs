namespace StoreMonitoring.Import;

/// <summary>
/// Finds the input files by the names they are published under. Where several files could be one
/// kind's input, the choice is fixed and the others are reported as ignored, never dropped silently:
/// the canonical name first, then each alias in the order listed; among files matching one name
/// (the same name in another case, or several dated exports), the last in ordinal name order, which for
/// dated exports (<c>bq-results-YYYYMMDD-...</c>) is the newest.
/// </summary>
public static class InputFiles
{
    public const string StatusName = "store_status.csv";
    public const string HoursName = "menu_hours.csv";
    public const string TimezonesName = "timezones.csv";

    private static readonly string[] HoursNames = [HoursName, "business_hours.csv", "Menu hours.csv"];
    private static readonly string[] TimezonesNames = [TimezonesName, "bq-results-*.csv"];

    /// <summary>The files of one import, the kinds that have none, and the candidates not used.</summary>
    public sealed record Found(string? Timezones, string? Hours, IReadOnlyList<string> Status)
    {
        public int Count => (Timezones is null ? 0 : 1) + (Hours is null ? 0 : 1) + Status.Count;

        public IReadOnlyList<IgnoredFile> Ignored { get; init; } = [];

        public IReadOnlyList<string> Missing =>
            [.. new[] { (Timezones, TimezonesName), (Hours, HoursName), (Status.Count > 0 ? "" : null, StatusName) }.Where(f => f.Item1 is null).Select(f => f.Item2)];

        /// <summary>Time zones, then hours, then the status files in name order.</summary>
        public IEnumerable<(InputKind Kind, string Path)> InOrder()
        {
            if (Timezones is not null)
            {
                yield return (InputKind.Timezones, Timezones);
            }

            if (Hours is not null)
            {
                yield return (InputKind.BusinessHours, Hours);
            }

            foreach (var status in Status)
            {
                yield return (InputKind.StoreStatus, status);
            }
        }
    }

    public static Found Find(string directory)
    {
        var ignored = new List<IgnoredFile>();
        var timezones = Choose(directory, InputKind.Timezones, TimezonesNames, ignored);
        var hours = Choose(directory, InputKind.BusinessHours, HoursNames, ignored);
        return new Found(timezones, hours, [.. Matching(directory, "store_status*.csv").Order(StringComparer.Ordinal)]) { Ignored = ignored };
    }

    private static string? Choose(string directory, InputKind kind, string[] names, List<IgnoredFile> ignored)
    {
        // Every candidate, in the order of preference: by name (canonical, then the aliases), then newest name first.
        var candidates = names
            .SelectMany((name, rank) => Matching(directory, name).Select(path => (Path: path, Rank: rank)))
            .DistinctBy(c => c.Path, StringComparer.Ordinal)
            .OrderBy(c => c.Rank)
            .ThenByDescending(c => System.IO.Path.GetFileName(c.Path), StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var chosen = candidates[0];
        var chosenName = System.IO.Path.GetFileName(chosen.Path);
        foreach (var other in candidates.Skip(1))
        {
            ignored.Add(new IgnoredFile(
                kind,
                System.IO.Path.GetFileName(other.Path),
                chosenName,
                other.Rank == chosen.Rank
                    ? $"several files match {names[chosen.Rank]}: the last in name order (for dated exports, the newest) is used"
                    : $"{chosenName} comes first in the order of names ({string.Join(", ", names)})"));
        }

        return chosen.Path;
    }

    // Every entry, not only files: a folder or a device named like an input is refused with a
    // reason when opened, rather than skipped as if the input were missing.
    private static IEnumerable<string> Matching(string directory, string pattern) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFileSystemEntries(directory, pattern, new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive, RecurseSubdirectories = false })
            : [];
}
