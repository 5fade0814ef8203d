using Microsoft.Extensions.Options;

namespace StoreMonitoring.Time;

/// <summary>
/// The instants the service accepts, from files, query strings or the clock: from
/// <see cref="InputOptions.EarliestTimestamp"/> to the clock's now plus <see cref="InputOptions.MaxClockSkew"/>.
/// </summary>
/// <remarks>
/// One value outside a sane range poisons everything downstream: a poll dated 9999 overflows the
/// windows' arithmetic, one dated 2100 moves every default report into the future. Inside the
/// range every computation (a week back, a day of schedule either side) stays far from overflow.
/// </remarks>
public sealed class AcceptedInstants(TimeProvider time, IOptions<StoreMonitoringOptions> options)
{
    /// <summary>The accepted range as of now, in Unix microseconds: its end is one microsecond after the latest accepted instant.</summary>
    public TimeRange Range()
    {
        var input = options.Value.Input;
        return new TimeRange(UnixMicros.FromDateTimeOffset(input.EarliestTimestamp), UnixMicros.FromDateTimeOffset(time.GetUtcNow() + input.MaxClockSkew) + 1);
    }

    public static string Describe(TimeRange range) =>
        $"outside the accepted range {UnixMicros.Format(range.Start)} to {UnixMicros.Format(range.End - 1)}";

    /// <summary>Parses an optional query or command-line instant such as <c>now</c>.</summary>
    /// <returns>null when valid (or absent), else a message naming <paramref name="name"/>.</returns>
    public string? TryParseOptional(string? text, string name, out long? micros)
    {
        micros = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!TimestampParser.TryParse(text, out var parsed))
        {
            return $"{name} '{Shorten(text)}' is not a timestamp: use ISO 8601, e.g. 2024-10-14T23:55:18Z.";
        }

        var range = Range();
        if (!range.Contains(parsed))
        {
            return $"{name} '{Shorten(text)}' is {Describe(range)}.";
        }

        micros = parsed;
        return null;
    }

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "..." : text;
}
