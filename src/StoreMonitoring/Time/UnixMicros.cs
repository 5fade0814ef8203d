using System.Globalization;
using NodaTime;

namespace StoreMonitoring.Time;

/// <summary>
/// Instants are held as microseconds since the Unix epoch: the inputs carry microsecond precision,
/// both database engines store a BIGINT exactly, and integer arithmetic keeps sums exact.
/// </summary>
public static class UnixMicros
{
    public const long PerSecond = 1_000_000;
    public const long PerMinute = 60 * PerSecond;
    public const long PerHour = 60 * PerMinute;
    public const long PerDay = 24 * PerHour;

    public static long FromInstant(Instant instant) => instant.ToUnixTimeTicks() / 10;

    public static Instant ToInstant(long micros) => Instant.FromUnixTimeTicks(micros * 10);

    public static long FromDateTimeOffset(DateTimeOffset value) => (value.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTimeOffset ToDateTimeOffset(long micros) => new(DateTime.UnixEpoch.Ticks + micros * 10, TimeSpan.Zero);

    /// <summary>
    /// The one way an instant is written out (API, CLI, dashboard, webhooks): RFC 3339 in UTC with
    /// the shortest exact fraction, e.g. 2024-10-13T14:00:00Z, 2024-10-14T21:47:13.25Z,
    /// 2024-10-14T23:55:18.727055Z.
    /// </summary>
    /// <remarks>
    /// Fraction digits appear only where they carry meaning: a whole second printed as
    /// <c>.000000</c> reads as a measured microsecond when it is not. Nothing is lost: the text
    /// parses back to the same microsecond (<see cref="TimestampParser"/>).
    /// </remarks>
    public static string Format(long micros) =>
        ToDateTimeOffset(micros).UtcDateTime.ToString(InstantPattern, CultureInfo.InvariantCulture);

    /// <summary>The .NET pattern behind <see cref="Format"/>; <c>F</c> drops trailing zeros, and the point with them.</summary>
    public const string InstantPattern = "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'";

    /// <summary>The NodaTime pattern for a local time with its offset, with the same rule for the fraction.</summary>
    public const string OffsetPattern = "uuuu-MM-dd'T'HH:mm:ss.FFFFFFo<m>";
}
