using System.Text;
using Dapper;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Incidents;

/// <summary>What the incident list can be narrowed to; <see cref="After"/> continues a previous page.</summary>
public sealed record IncidentFilter(int? StoreKey, bool? Open, long? From, long? To, long? MinDownUs, int Limit, (long StartUs, string IncidentId)? After);

/// <summary>An incident with what a reader needs besides its row: the store's id and zone.</summary>
public sealed record IncidentRow(StoredIncident Incident, string StoreId, string TimeZone);

/// <summary>Reads incidents, newest first, a page at a time.</summary>
public sealed class IncidentQueries(StoreDatabase database)
{
    public async Task<List<IncidentRow>> ListAsync(IncidentFilter filter, CancellationToken cancellationToken = default)
    {
        var where = new StringBuilder("WHERE 1 = 1");
        if (filter.StoreKey is not null)
        {
            where.Append(" AND i.store_key = @StoreKey");
        }

        if (filter.Open is { } open)
        {
            where.Append(open ? " AND i.end_us IS NULL" : " AND i.end_us IS NOT NULL");
        }

        if (filter.From is not null)
        {
            where.Append(" AND (i.end_us IS NULL OR i.end_us > @From)");
        }

        if (filter.To is not null)
        {
            where.Append(" AND i.start_us < @To");
        }

        if (filter.MinDownUs is not null)
        {
            where.Append(" AND i.down_us >= @MinDownUs");
        }

        if (filter.After is not null)
        {
            where.Append(" AND (i.start_us < @AfterStart OR (i.start_us = @AfterStart AND i.incident_id < @AfterId))");
        }

        var sql = $"""
            SELECT {StoredIncident.ColumnsOf("i")}, s.store_id AS StoreId, z.timezone_str AS TimeZone
            FROM incidents i JOIN stores s ON s.store_key = i.store_key LEFT JOIN store_timezones z ON z.store_key = i.store_key
            {where}
            ORDER BY i.start_us DESC, i.incident_id DESC
            LIMIT @Limit
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredIncident, string, string?, IncidentRow>(
            new CommandDefinition(sql, new
            {
                filter.StoreKey, filter.From, filter.To, filter.MinDownUs, filter.Limit,
                AfterStart = filter.After?.StartUs, AfterId = filter.After?.IncidentId,
            }, cancellationToken: cancellationToken),
            (incident, storeId, zone) => new IncidentRow(incident, storeId, BusinessHours.ZoneOrDefault(zone).Id),
            splitOn: "StoreId,TimeZone");
        return [.. rows];
    }

    /// <summary>Minutes, to two decimals, as reports show them.</summary>
    public static double Minutes(long micros) => Math.Round((double)micros / UnixMicros.PerMinute, 2);
}
