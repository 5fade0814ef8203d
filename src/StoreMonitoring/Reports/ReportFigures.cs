using System.Globalization;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring.Reports;

/// <summary>
/// A window's figures in its report unit (<see cref="ReportWindow.Unit"/>), rounded to
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

/// <summary>A store's figures in each window's report unit, in the windows' order.</summary>
public sealed class StoreFigures(IReadOnlyList<ReportWindow> windows, WindowFigures[] figures) : IReadOnlyList<WindowFigures>
{
    public IReadOnlyList<ReportWindow> Windows { get; } = windows;

    public int Count => figures.Length;

    public WindowFigures this[int index] => figures[index];

    public static StoreFigures From(StoreUptime uptime)
    {
        var figures = new WindowFigures[uptime.Count];
        for (var i = 0; i < figures.Length; i++)
        {
            figures[i] = WindowFigures.From(uptime[i], uptime.Windows[i].Unit);
        }

        return new StoreFigures(uptime.Windows, figures);
    }

    /// <summary>The three standard windows' figures (hour, day, week).</summary>
    public void Deconstruct(out WindowFigures hour, out WindowFigures day, out WindowFigures week)
    {
        if (figures.Length != 3)
        {
            throw new InvalidOperationException($"{figures.Length} windows do not deconstruct into hour, day and week");
        }

        (hour, day, week) = (figures[0], figures[1], figures[2]);
    }

    /// <summary>The three standard windows' figures as a tuple, for code written before windows were a list.</summary>
    public static implicit operator (WindowFigures Hour, WindowFigures Day, WindowFigures Week)(StoreFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var (hour, day, week) = figures;
        return (hour, day, week);
    }

    public IEnumerator<WindowFigures> GetEnumerator() => ((IEnumerable<WindowFigures>)figures).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
