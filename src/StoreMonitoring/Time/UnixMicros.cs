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

    /// <summary>ISO 8601 in UTC with the full microsecond precision, e.g. 2024-10-14T23:55:18.727055Z.</summary>
    public static string Format(long micros) => ToDateTimeOffset(micros).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");
}
