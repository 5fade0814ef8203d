namespace StoreMonitoring.Import;

/// <summary>Finds the input files by the names they are published under.</summary>
public static class InputFiles
{
    public const string StatusName = "store_status.csv";
    public const string HoursName = "menu_hours.csv";
    public const string TimezonesName = "timezones.csv";

    private static readonly string[] HoursNames = [HoursName, "business_hours.csv", "Menu hours.csv"];
    private static readonly string[] TimezoneNames = [TimezonesName];

    /// <summary>Status files: <c>store_status.csv</c> and any other <c>store_status*.csv</c> (hourly drops), in name order.</summary>
    public static IReadOnlyList<string> StatusFiles(string directory) =>
        [.. Matching(directory, "store_status*.csv").Order(StringComparer.Ordinal)];

    public static string? HoursFile(string directory) => FirstNamed(directory, HoursNames);

    public static string? TimezonesFile(string directory) =>
        FirstNamed(directory, TimezoneNames) ?? Matching(directory, "bq-results-*.csv").Order(StringComparer.Ordinal).FirstOrDefault();

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
