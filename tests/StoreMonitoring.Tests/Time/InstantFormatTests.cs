using System.Globalization;
using System.Text.RegularExpressions;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Time;

/// <summary>The one format every instant is written in: RFC 3339, UTC, the shortest exact fraction.</summary>
public sealed partial class InstantFormatTests
{
    [Theory]
    [InlineData("2024-10-13T14:00:00Z", "2024-10-13T14:00:00Z")]
    [InlineData("2024-10-13T14:00:00.25Z", "2024-10-13T14:00:00.25Z")]
    [InlineData("2024-10-13T14:00:00.000001Z", "2024-10-13T14:00:00.000001Z")]
    [InlineData("2024-10-13T14:00:00.1Z", "2024-10-13T14:00:00.1Z")]
    [InlineData("2024-10-14T23:55:18.727055Z", "2024-10-14T23:55:18.727055Z")]
    [InlineData("2024-10-14 01:00:00.500000 UTC", "2024-10-14T01:00:00.5Z")]
    [InlineData("2024-10-14T02:00:00+02:00", "2024-10-14T00:00:00Z")]
    public void Writes_fraction_digits_only_where_they_carry_meaning(string input, string expected)
    {
        Assert.True(TimestampParser.TryParse(input, out var micros));
        Assert.Equal(expected, UnixMicros.Format(micros));
    }

    [Fact]
    public void Reads_back_to_the_same_microsecond_and_never_ends_in_a_zero_digit()
    {
        var random = new Random(19);
        for (var i = 0; i < 10_000; i++)
        {
            // Every fourth draw on a whole second, every fourth on a whole millisecond, so the short forms are met often.
            var micros = random.NextInt64(UnixMicros.PerDay * 365 * 30, UnixMicros.PerDay * 365 * 60);
            micros -= (i % 4) switch { 0 => micros % UnixMicros.PerSecond, 1 => micros % 1000, _ => 0 };
            var text = UnixMicros.Format(micros);
            Assert.Matches(Rfc3339(), text);
            Assert.True(TimestampParser.TryParse(text, out var back), text);
            Assert.Equal(micros, back);
            Assert.Equal(micros, UnixMicros.FromDateTimeOffset(DateTimeOffset.Parse(text, CultureInfo.InvariantCulture)));
        }
    }

    // Seconds, then either nothing or a point and one to six digits of which the last is not 0.
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,5}[1-9])?Z$")]
    private static partial Regex Rfc3339();
}
