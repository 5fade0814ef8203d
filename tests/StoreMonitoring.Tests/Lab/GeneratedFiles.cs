using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace StoreMonitoring.Tests.Lab;

/// <summary>
/// Reads generated files with plain string handling, independently of the library's importer, so
/// the tests check what is in the files rather than what the library would make of them.
/// </summary>
internal static class GeneratedFiles
{
    public sealed record Window(int Day, LocalTime Start, LocalTime End);

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "storemon-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static long ParseTimestamp(string text)
    {
        if (!text.EndsWith(" UTC", StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' does not end in UTC");
        }

        var value = DateTime.ParseExact(text[..^4], "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return (value.Ticks - DateTime.UnixEpoch.Ticks) / 10;
    }

    /// <summary>Every status row: store, active, instant in Unix microseconds.</summary>
    public static List<(string Store, bool Active, long At)> Status(string directory)
    {
        var path = Path.Combine(directory, "store_status.csv");
        // Like the real file, it starts with a byte-order mark (which ReadAllLines drops).
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(path)[..3]);
        var lines = File.ReadAllLines(path);
        Assert.Equal("store_id,status,timestamp_utc", lines[0]);
        return [.. lines.Skip(1).Select(line => line.Split(',')).Select(p => (p[0], p[1] == "active", ParseTimestamp(p[2])))];
    }

    public static Dictionary<string, string> Timezones(string directory) =>
        File.ReadAllLines(Path.Combine(directory, "timezones.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(p => p[0], p => p[1]);

    public static Dictionary<string, List<Window>> Hours(string directory)
    {
        var pattern = LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss");
        var hours = new Dictionary<string, List<Window>>();
        foreach (var parts in File.ReadAllLines(Path.Combine(directory, "menu_hours.csv")).Skip(1).Select(l => l.Split(',')))
        {
            if (!hours.TryGetValue(parts[0], out var list))
            {
                hours[parts[0]] = list = [];
            }

            list.Add(new Window(int.Parse(parts[1], CultureInfo.InvariantCulture), pattern.Parse(parts[2]).Value, pattern.Parse(parts[3]).Value));
        }

        return hours;
    }

    /// <summary>truth.csv (or a report) as store -> the six figures in hundredths.</summary>
    public static Dictionary<string, long[]> Figures(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal("store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week", lines[0]);
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(
            p => p[0],
            p => p.Skip(1).Select(v => (long)(decimal.Parse(v, CultureInfo.InvariantCulture) * 100)).ToArray());
    }
}
