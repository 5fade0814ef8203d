using System.Globalization;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring.Reports;

/// <summary>
/// A window's figures in its report unit (minutes for the hour, hours otherwise), rounded to
/// hundredths so that the printed parts add up to the printed whole exactly.
/// </summary>
/// <param name="UptimeLow">The credible interval's low end (learned method only), never above the estimated uptime.</param>
/// <param name="UptimeHigh">The credible interval's high end (learned method only), never below the estimated uptime.</param>
public readonly record struct WindowFigures(
    long Uptime, long Downtime, long Unknown, long Business, long EstimatedUptime, long EstimatedDowntime, int Polls, long? UptimeLow = null, long? UptimeHigh = null)
{
    public static WindowFigures From(WindowUptime window, long unitMicros)
    {
        var business = Hundredths(window.Business, unitMicros);
        var up = Hundredths(window.Uptime, unitMicros);
        var down = Math.Min(Hundredths(window.Downtime, unitMicros), business - up);
        var estimatedUp = Math.Min(Hundredths(window.EstimatedUptime, unitMicros), business);
        long? low = window.Interval is { } i ? Math.Min(Hundredths(i.Low, unitMicros), estimatedUp) : null;
        long? high = window.Interval is { } j ? Math.Clamp(Hundredths(j.High, unitMicros), estimatedUp, business) : null;
        return new WindowFigures(up, down, business - up - down, business, estimatedUp, business - estimatedUp, window.Polls, low, high);
    }

    /// <summary>Rounds half away from zero in integers: no binary floating point between the engine and the CSV.</summary>
    public static long Hundredths(long micros, long unitMicros) => (micros * 100 + unitMicros / 2) / unitMicros;

    public static string Format(long hundredths) =>
        string.Create(CultureInfo.InvariantCulture, $"{hundredths / 100}.{hundredths % 100:00}");

    public static double ToNumber(long hundredths) => hundredths / 100.0;
}
