using System.Globalization;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports;

/// <summary>The report's CSV: the seven columns of the original service, or those plus the extended ones.</summary>
public static class ReportCsv
{
    public const string Header = "store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week";

    public const string ExtendedHeader = Header
        + ",unknown_last_hour,unknown_last_day,unknown_last_week,business_last_hour,business_last_day,business_last_week,polls_last_hour,polls_last_day,polls_last_week";

    /// <summary>The extended CSV's columns for a method with credible intervals (learned): each window's uptime bounds.</summary>
    public const string IntervalHeader =
        ",uptime_low_last_hour,uptime_low_last_day,uptime_low_last_week,uptime_high_last_hour,uptime_high_last_day,uptime_high_last_week";

    public static (WindowFigures Hour, WindowFigures Day, WindowFigures Week) Figures(StoreUptime uptime) =>
        (WindowFigures.From(uptime.LastHour, UnixMicros.PerMinute),
         WindowFigures.From(uptime.LastDay, UnixMicros.PerHour),
         WindowFigures.From(uptime.LastWeek, UnixMicros.PerHour));

    /// <param name="intervals">Whether the rows carry credible intervals (the learned method's): the extended CSV then ends with their columns.</param>
    public static void WriteHeader(TextWriter writer, bool extended, bool intervals = false) =>
        writer.Write((extended ? ExtendedHeader + (intervals ? IntervalHeader : "") : Header) + "\n");

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
            if (hour.UptimeLow is not null)
            {
                foreach (var value in (ReadOnlySpan<long?>)[hour.UptimeLow, day.UptimeLow, week.UptimeLow, hour.UptimeHigh, day.UptimeHigh, week.UptimeHigh])
                {
                    writer.Write(',');
                    writer.Write(WindowFigures.Format(value ?? 0));
                }
            }
        }

        writer.Write('\n');
    }

    public static void Write(TextWriter writer, IEnumerable<StoreReportRow> rows, bool extended, bool intervals = false)
    {
        WriteHeader(writer, extended, intervals);
        foreach (var row in rows)
        {
            WriteRow(writer, row, extended);
        }
    }

    /// <summary>Writes beside <paramref name="path"/> and renames, so a reader never sees half a report.</summary>
    public static async Task WriteFileAsync(string path, IAsyncEnumerable<StoreReportRow> rows, bool extended, CancellationToken cancellationToken, bool intervals = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await using (var writer = new StreamWriter(temporary, false, new System.Text.UTF8Encoding(false), 1 << 16))
        {
            WriteHeader(writer, extended, intervals);
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                WriteRow(writer, row, extended);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Quotes a field when CSV needs it, and defuses one a spreadsheet would run as a formula
    /// (OWASP's CSV injection advice): a leading <c>= + - @</c>, tab or CR gets a <c>'</c> in front.
    /// </summary>
    internal static string Escape(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            return "\"'" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
