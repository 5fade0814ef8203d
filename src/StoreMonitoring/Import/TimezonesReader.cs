using nietras.SeparatedValues;
using NodaTime;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Import;

/// <summary>Reads a time-zone file: a snapshot of one zone per store that replaces the stored ones.</summary>
internal static class TimezonesReader
{
    public static FileOutcome Read(SepReader reader, ImportContext context, RejectedRows rejected)
    {
        var columns = CsvInput.RequireColumns(reader, ["store_id"], ["timezone_str"]);
        // One zone per store, bounded by the number of stores; the first row for a store wins, as for polls.
        var zones = new Dictionary<int, string>();
        var conflicts = new RejectedRows();
        var rows = new SnapshotRows(reader, columns[0], context, rejected);
        long unchanged = 0;
        while (rows.Next(out var row, out var storeId))
        {
            var zoneText = row[columns[1]].ToString();
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneText) is null)
            {
                rejected.Add(row, zoneText.Length == 0
                    ? $"empty timezone_str ({BusinessHours.DefaultZoneId} applies)"
                    : $"unknown timezone '{StatusReader.Shorten(zoneText)}' ({BusinessHours.DefaultZoneId} applies)");
                continue;
            }

            var key = context.Stores.GetOrAdd(storeId);
            if (zones.TryGetValue(key, out var first))
            {
                if (first == zoneText)
                {
                    unchanged++;
                }
                else
                {
                    conflicts.Add(row, $"a second time zone for this store; the first one in the file, {first}, applies");
                }

                continue;
            }

            zones[key] = zoneText;
        }

        return Snapshot.Replace(
            context, "store_timezones", rows.Count, rows.LastLine, rejected, unchanged, zones.Count, zones.Keys.ToHashSet(), insert =>
            {
                foreach (var (key, zone) in zones)
                {
                    insert.Add(key, zone);
                }
            },
            ["store_key", "timezone_str"],
            conflicts.Count,
            conflicts.Examples);
    }
}
