using System.Globalization;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring.Reports;

/// <summary>
/// A window's figures in its report unit (minutes for the hour, hours otherwise), rounded to
/// hundredths so that the printed parts add up to the printed whole exactly.
/// </summary>
public readonly record struct WindowFigures(long Uptime, long Downtime, long Unknown, long Business, long EstimatedUptime, long EstimatedDowntime, int Polls)
{
    public static WindowFigures From(WindowUptime window, long unitMicros)
    {
        var business = Hundredths(window.Business, unitMicros);
        var up = Hundredths(window.Uptime, unitMicros);
        var down = Math.Min(Hundredths(window.Downtime, unitMicros), business - up);
        var estimatedUp = Math.Min(Hundredths(window.EstimatedUptime, unitMicros), business);
        return new WindowFigures(up, down, business - up - down, business, estimatedUp, business - estimatedUp, window.Polls);
    }

    /// <summary>Rounds half away from zero in integers: no binary floating point between the engine and the CSV.</summary>
    public static long Hundredths(long micros, long unitMicros) => (micros * 100 + unitMicros / 2) / unitMicros;

    public static string Format(long hundredths) =>
        string.Create(CultureInfo.InvariantCulture, $"{hundredths / 100}.{hundredths % 100:00}");

    public static double ToNumber(long hundredths) => hundredths / 100.0;
}
