using System.Globalization;
using System.Text;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring.Reports;

/// <summary>
/// The report's CSV: the seven columns of the original service (uptime then downtime, per window),
/// or those plus the extended ones (unknown, business, polls, per window).
/// </summary>
public static class ReportCsv
{
    public static string Header { get; } = HeaderFor(ReportWindow.Standard, extended: false);

    public static string ExtendedHeader { get; } = HeaderFor(ReportWindow.Standard, extended: true);

    public static string HeaderFor(IReadOnlyList<ReportWindow> windows, bool extended)
    {
        var header = new StringBuilder("store_id");
        foreach (var figure in extended ? (string[])["uptime", "downtime", "unknown", "business", "polls"] : ["uptime", "downtime"])
        {
            foreach (var window in windows)
            {
                header.Append(',').Append(figure).Append('_').Append(window.Name);
            }
        }

        return header.ToString();
    }

    public static StoreFigures Figures(StoreUptime uptime) => StoreFigures.From(uptime);

    /// <summary>The extended CSV's columns for a method with credible intervals (learned): each window's uptime bounds.</summary>
    public static string IntervalHeaderFor(IReadOnlyList<ReportWindow> windows)
    {
        var header = new StringBuilder();
        foreach (var bound in (string[])["uptime_low", "uptime_high"])
        {
            foreach (var window in windows)
            {
                header.Append(',').Append(bound).Append('_').Append(window.Name);
            }
        }

        return header.ToString();
    }

    /// <param name="intervals">Whether the rows carry credible intervals (the learned method's): the extended CSV then ends with their columns.</param>
    public static void WriteHeader(TextWriter writer, bool extended, bool intervals = false) => WriteHeader(writer, ReportWindow.Standard, extended, intervals);

    public static void WriteHeader(TextWriter writer, IReadOnlyList<ReportWindow> windows, bool extended, bool intervals = false) =>
        writer.Write((ReferenceEquals(windows, ReportWindow.Standard) ? (extended ? ExtendedHeader : Header) : HeaderFor(windows, extended))
            + (extended && intervals ? IntervalHeaderFor(windows) : "") + "\n");

    public static void WriteRow(TextWriter writer, StoreReportRow row, bool extended)
    {
        var figures = Figures(row.Uptime);
        writer.Write(Escape(row.StoreId));
        foreach (var window in figures)
        {
            Write(writer, window.EstimatedUptime);
        }

        foreach (var window in figures)
        {
            Write(writer, window.EstimatedDowntime);
        }

        if (extended)
        {
            foreach (var window in figures)
            {
                Write(writer, window.Unknown);
            }

            foreach (var window in figures)
            {
                Write(writer, window.Business);
            }

            foreach (var window in figures)
            {
                writer.Write(',');
                writer.Write(window.Polls.ToString(CultureInfo.InvariantCulture));
            }

            if (figures.Count > 0 && figures[0].UptimeLow is not null)
            {
                foreach (var window in figures)
                {
                    Write(writer, window.UptimeLow ?? 0);
                }

                foreach (var window in figures)
                {
                    Write(writer, window.UptimeHigh ?? 0);
                }
            }
        }

        writer.Write('\n');
    }

    private static void Write(TextWriter writer, long hundredths)
    {
        writer.Write(',');
        writer.Write(WindowFigures.Format(hundredths));
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
