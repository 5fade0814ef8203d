namespace StoreMonitoring.Import;

/// <summary>Finds the input files by the names they are published under.</summary>
public static class InputFiles
{
    public const string StatusName = "store_status.csv";
    public const string HoursName = "menu_hours.csv";
    public const string TimezonesName = "timezones.csv";

    private static readonly string[] HoursNames = [HoursName, "business_hours.csv", "Menu hours.csv"];

    /// <summary>The files of one import, and the kinds that have none.</summary>
    public sealed record Found(string? Timezones, string? Hours, IReadOnlyList<string> Status)
    {
        public int Count => (Timezones is null ? 0 : 1) + (Hours is null ? 0 : 1) + Status.Count;

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

    public static Found Find(string directory) => new(
        FirstNamed(directory, [TimezonesName]) ?? Matching(directory, "bq-results-*.csv").Order(StringComparer.Ordinal).FirstOrDefault(),
        FirstNamed(directory, HoursNames),
        [.. Matching(directory, "store_status*.csv").Order(StringComparer.Ordinal)]);

    private static string? FirstNamed(string directory, string[] names)
    {
        foreach (var name in names)
        {
            var match = Matching(directory, name).FirstOrDefault();
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    private static IEnumerable<string> Matching(string directory, string pattern) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, pattern, new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive, RecurseSubdirectories = false })
            : [];
}
