using System.Globalization;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>One store's line of a report.</summary>
public sealed record StoreReportRow(string StoreId, StoreUptime Uptime);

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

/// <summary>The report's CSV: the seven columns of the original service, or those plus the extended ones.</summary>
public static class ReportCsv
{
    public const string Header = "store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week";

    public const string ExtendedHeader = Header
        + ",unknown_last_hour,unknown_last_day,unknown_last_week,business_last_hour,business_last_day,business_last_week,polls_last_hour,polls_last_day,polls_last_week";

    public static (WindowFigures Hour, WindowFigures Day, WindowFigures Week) Figures(StoreUptime uptime) =>
        (WindowFigures.From(uptime.LastHour, UnixMicros.PerMinute),
         WindowFigures.From(uptime.LastDay, UnixMicros.PerHour),
         WindowFigures.From(uptime.LastWeek, UnixMicros.PerHour));

    public static void WriteHeader(TextWriter writer, bool extended) => writer.Write((extended ? ExtendedHeader : Header) + "\n");

    public static void WriteRow(TextWriter writer, StoreReportRow row, bool extended)
    {
        var (hour, day, week) = Figures(row.Uptime);
        writer.Write(Escape(row.StoreId));
        foreach (var value in (ReadOnlySpan<long>)[hour.EstimatedUptime, day.EstimatedUptime, week.EstimatedUptime, hour.EstimatedDowntime, day.EstimatedDowntime, week.EstimatedDowntime])
        {
            writer.Write(',');
            writer.Write(WindowFigures.Format(value));
        }

        if (extended)
        {
            foreach (var value in (ReadOnlySpan<long>)[hour.Unknown, day.Unknown, week.Unknown, hour.Business, day.Business, week.Business])
            {
                writer.Write(',');
                writer.Write(WindowFigures.Format(value));
            }

            writer.Write(string.Create(CultureInfo.InvariantCulture, $",{hour.Polls},{day.Polls},{week.Polls}"));
        }

        writer.Write('\n');
    }

    public static void Write(TextWriter writer, IEnumerable<StoreReportRow> rows, bool extended)
    {
        WriteHeader(writer, extended);
        foreach (var row in rows)
        {
            WriteRow(writer, row, extended);
        }
    }

    /// <summary>Writes beside <paramref name="path"/> and renames, so a reader never sees half a report.</summary>
    public static async Task WriteFileAsync(string path, IAsyncEnumerable<StoreReportRow> rows, bool extended, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await using (var writer = new StreamWriter(temporary, false, new System.Text.UTF8Encoding(false), 1 << 16))
        {
            WriteHeader(writer, extended);
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                WriteRow(writer, row, extended);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
