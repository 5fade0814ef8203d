using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Time;

public sealed class TimestampParserTests
{
    [Theory]
    [InlineData("2024-10-03 23:33:20.412748 UTC", "2024-10-03T23:33:20.4127480+00:00")]
    [InlineData("2024-10-03 23:33:20 UTC", "2024-10-03T23:33:20.0000000+00:00")]
    [InlineData("2024-10-03 23:33:20", "2024-10-03T23:33:20.0000000+00:00")]
    [InlineData("2024-10-03T23:33:20.5Z", "2024-10-03T23:33:20.5000000+00:00")]
    [InlineData("2024-10-03T23:33:20.412748Z", "2024-10-03T23:33:20.4127480+00:00")]
    [InlineData("2024-10-04T01:33:20.412748+02:00", "2024-10-03T23:33:20.4127480+00:00")]
    [InlineData("2024-10-03T18:03:20-0530", "2024-10-03T23:33:20.0000000+00:00")]
    [InlineData("2024-02-29 00:00:00.000001 UTC", "2024-02-29T00:00:00.0000010+00:00")]
    [InlineData("  2024-10-03 23:33:20.412748 UTC ", "2024-10-03T23:33:20.4127480+00:00")]
    [InlineData("2024-10-03T23:33:20.41274899Z", "2024-10-03T23:33:20.4127480+00:00")]
    public void Parses_the_formats_found_in_status_files(string text, string expected)
    {
        Assert.True(TimestampParser.TryParse(text, out var micros));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), UnixMicros.ToDateTimeOffset(micros));
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2024-13-03 23:33:20 UTC")]
    [InlineData("2023-02-29 10:00:00 UTC")]
    [InlineData("2024-10-03 24:00:00 UTC")]
    [InlineData("2024-10-03 23:60:00 UTC")]
    [InlineData("2024-10-03 23:33:20. UTC")]
    [InlineData("2024-10-03 23:33:20 PST")]
    [InlineData("2024-10-03 23:33:20+25:00")]
    [InlineData("2024/10/03 23:33:20")]
    public void Rejects_what_is_not_a_timestamp(string text) => Assert.False(TimestampParser.TryParse(text, out _));

    [Fact]
    public void Agrees_with_the_framework_parser_over_many_instants()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var instant = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay * 365 * 40) / 10 * 10);
            var text = instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture) + " UTC";
            Assert.True(TimestampParser.TryParse(text, out var micros), text);
            Assert.Equal(instant, UnixMicros.ToDateTimeOffset(micros));
        }
    }
}
