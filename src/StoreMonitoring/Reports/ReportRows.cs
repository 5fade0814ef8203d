using System.Data.Common;
using System.Runtime.CompilerServices;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring.Reports;

/// <summary>One store's line of a report.</summary>
public sealed record StoreReportRow(string StoreId, StoreUptime Uptime);

/// <summary>
/// The <c>report_rows</c> table: a finished report's figures per store, in microseconds of
/// business time; the CSV and JSON are rendered from them on download.
/// </summary>
internal static class ReportRows
{
    /// <summary>The figures stored per window, after its <see cref="ReportWindow.Column"/> stem.</summary>
    private static readonly string[] PerWindow = ["up", "down", "business", "est_up", "polls"];

    /// <summary>The stored windows: each has its columns in a migration.</summary>
    private static IReadOnlyList<ReportWindow> Windows => ReportWindow.Standard;

    public static readonly string[] Columns =
        [
            "report_id", "store_id",
            .. Windows.SelectMany(w => PerWindow.Select(figure => $"{w.Column}_{figure}")),
            // The credible interval's bounds (learned method only; null otherwise), after every window's figures.
            .. Windows.SelectMany(w => (string[])[$"{w.Column}_up_low", $"{w.Column}_up_high"]),
        ];

    public static object?[] Values(string reportId, StoreReportRow row)
    {
        if (!row.Uptime.Windows.SequenceEqual(Windows))
        {
            throw new ArgumentException($"store {row.StoreId}: its figures are for other windows than report_rows stores", nameof(row));
        }

        var values = new object?[2 + (PerWindow.Length + 2) * row.Uptime.Count];
        values[0] = reportId;
        values[1] = row.StoreId;
        var next = 2;
        foreach (var w in row.Uptime.Figures)
        {
            values[next++] = w.Uptime;
            values[next++] = w.Downtime;
            values[next++] = w.Business;
            values[next++] = w.EstimatedUptime;
            values[next++] = w.Polls;
        }

        foreach (var w in row.Uptime.Figures)
        {
            values[next++] = w.Interval?.Low;
            values[next++] = w.Interval?.High;
        }

        return values;
    }

    public static async IAsyncEnumerable<StoreReportRow> ReadAsync(DbConnection connection, string reportId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT store_id, {string.Join(", ", Columns.Skip(2))} FROM report_rows WHERE report_id = @reportId ORDER BY store_id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@reportId";
        parameter.Value = reportId;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var figures = new WindowUptime[Windows.Count];
            for (var i = 0; i < figures.Length; i++)
            {
                figures[i] = Window(reader, 1 + PerWindow.Length * i, 1 + PerWindow.Length * figures.Length + 2 * i);
            }

            yield return new StoreReportRow(reader.GetString(0), new StoreUptime(Windows, figures));
        }
    }

    private static WindowUptime Window(DbDataReader reader, int first, int interval)
    {
        var up = reader.GetInt64(first);
        var down = reader.GetInt64(first + 1);
        var business = reader.GetInt64(first + 2);
        UptimeInterval? bounds = reader.IsDBNull(interval) ? null : new UptimeInterval(reader.GetInt64(interval), reader.GetInt64(interval + 1));
        return new WindowUptime(up, down, business - up - down, business, (int)reader.GetInt64(first + 4), reader.GetInt64(first + 3), bounds);
    }
}
