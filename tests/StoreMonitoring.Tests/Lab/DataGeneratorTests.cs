using System.Text.RegularExpressions;
using StoreMonitoring.Lab.Generation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Lab;

public sealed partial class DataGeneratorTests
{
    private static readonly string[] Files = ["store_status.csv", "menu_hours.csv", "timezones.csv", "truth.csv", "profiles.csv"];

    [Fact]
    public void Same_seed_writes_the_same_bytes()
    {
        var first = GeneratedFiles.TempDirectory();
        var second = GeneratedFiles.TempDirectory();
        DataGenerator.Generate(new GeneratorOptions(60, 8, 5), first);
        DataGenerator.Generate(new GeneratorOptions(60, 8, 5), second);

        foreach (var file in Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
        }
    }

    [Fact]
    public void Different_seeds_write_different_data()
    {
        var end = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2024, 10, 14, 23, 55, 0, TimeSpan.Zero));
        var first = GeneratedFiles.TempDirectory();
        var second = GeneratedFiles.TempDirectory();
        DataGenerator.Generate(new GeneratorOptions(60, 8, 5, end), first);
        DataGenerator.Generate(new GeneratorOptions(60, 8, 6, end), second);

        foreach (var file in Files)
        {
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
        }
    }

    [Fact]
    public void Files_look_like_the_real_ones()
    {
        var directory = GeneratedFiles.TempDirectory();
        var summary = DataGenerator.Generate(new GeneratorOptions(600, 10, 21), directory);

        var status = GeneratedFiles.Status(directory);
        Assert.Equal(summary.StatusRows, status.Count);
        Assert.Equal(summary.Now, status.Max(s => s.At));
        Assert.All(status, s => Assert.Matches(UuidPattern(), s.Store));
        // Roughly in time order: never more than a second out.
        var latest = status[0].At;
        foreach (var (_, _, at) in status)
        {
            Assert.True(at > latest - UnixMicros.PerSecond);
            latest = Math.Max(latest, at);
        }

        Assert.Contains(status, s => !s.Active);
        Assert.Contains(File.ReadLines(Path.Combine(directory, "store_status.csv")), l => l.EndsWith(" UTC", StringComparison.Ordinal) && Regex.IsMatch(l, @"\d\d:\d\d:\d\d\.\d{6} UTC$"));

        var hours = GeneratedFiles.Hours(directory).SelectMany(h => h.Value).ToList();
        var endOfDay = new NodaTime.LocalTime(23, 59, 59);
        Assert.Contains(hours, w => w.Start == NodaTime.LocalTime.Midnight && w.End == endOfDay);
        Assert.Contains(hours, w => w.End < w.Start);
        Assert.Contains(hours, w => w.End == w.Start);
        Assert.Contains(hours, w => w.End > w.Start && (w.End - w.Start).ToDuration() <= NodaTime.Duration.FromMinutes(10));
        Assert.Contains(hours, w => w.Start == NodaTime.LocalTime.Midnight && w.End <= new NodaTime.LocalTime(3, 0));

        var zones = GeneratedFiles.Timezones(directory);
        Assert.True(zones.Values.Distinct().Count() >= 6);
        var polled = status.Select(s => s.Store).ToHashSet();
        Assert.Contains(polled, id => !zones.ContainsKey(id));
        Assert.Contains(polled, id => !GeneratedFiles.Hours(directory).ContainsKey(id));
        // Like the real files, the hours and timezones files list stores that are never polled.
        Assert.Contains(zones.Keys, id => !polled.Contains(id));
    }

    [Fact]
    public void Polling_varies_by_store()
    {
        var directory = GeneratedFiles.TempDirectory();
        var summary = DataGenerator.Generate(new GeneratorOptions(600, 14, 22), directory);
        var byStore = GeneratedFiles.Status(directory).GroupBy(s => s.Store).ToDictionary(g => g.Key, g => g.Select(s => s.At).ToList());
        var perDay = byStore.Values.Select(p => p.Count / 14.0).ToList();
        Assert.Contains(perDay, n => n > 60);
        Assert.Contains(perDay, n => n < 8);
        // Some stores stopped being polled days before now.
        Assert.Contains(byStore.Values, p => p.Max() < summary.Now - 3 * UnixMicros.PerDay);
    }

    [Theory]
    [InlineData(1_000_000_000_000_001L, "2001-09-09 01:46:40.000001 UTC")]
    [InlineData(1_728_950_118_727_055L, "2024-10-14 23:55:18.727055 UTC")]
    [InlineData(1_728_950_118_150_800L, "2024-10-14 23:55:18.1508 UTC")]
    [InlineData(1_728_950_118_000_000L, "2024-10-14 23:55:18 UTC")]
    public void Timestamps_are_spelled_like_the_real_file(long micros, string expected)
    {
        var buffer = new byte[64];
        var length = StatusTimestamp.Format(micros, buffer);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(buffer, 0, length));
        Assert.True(TimestampParser.TryParse(expected, out var parsed));
        Assert.Equal(micros, parsed);
    }

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidPattern();
}
