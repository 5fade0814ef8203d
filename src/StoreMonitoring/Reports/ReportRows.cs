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
    public static readonly string[] Columns =
    [
        "report_id", "store_id",
        "hour_up", "hour_down", "hour_business", "hour_est_up", "hour_polls",
        "day_up", "day_down", "day_business", "day_est_up", "day_polls",
        "week_up", "week_down", "week_business", "week_est_up", "week_polls",
        "hour_up_low", "hour_up_high", "day_up_low", "day_up_high", "week_up_low", "week_up_high",
    ];

    public static object?[] Values(string reportId, StoreReportRow row)
    {
        var (h, d, w) = (row.Uptime.LastHour, row.Uptime.LastDay, row.Uptime.LastWeek);
        return
        [
            reportId, row.StoreId,
            h.Uptime, h.Downtime, h.Business, h.EstimatedUptime, h.Polls,
            d.Uptime, d.Downtime, d.Business, d.EstimatedUptime, d.Polls,
            w.Uptime, w.Downtime, w.Business, w.EstimatedUptime, w.Polls,
            h.Interval?.Low, h.Interval?.High, d.Interval?.Low, d.Interval?.High, w.Interval?.Low, w.Interval?.High,
        ];
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
            yield return new StoreReportRow(reader.GetString(0), new StoreUptime(Window(reader, 1, 16), Window(reader, 6, 18), Window(reader, 11, 20)));
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
