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
        var width = reader.Header.ColNames.Count;
        // One zone per store, bounded by the number of stores; the first row for a store wins, as for polls.
        var zones = new Dictionary<int, string>();
        var conflicts = new RejectedRows();
        long rows = 0, unchanged = 0, lastLine = 0;
        foreach (var row in reader)
        {
            rows++;
            lastLine = row.LineNumberFrom;
            if ((rows & 0xFFFF) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            if (!CsvInput.EnsureOneLine(row, rejected) || !CsvInput.TryStoreId(row, width, columns[0], rejected, out var storeId))
            {
                continue;
            }

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
            context, "store_timezones", rows, lastLine, rejected, unchanged, zones.Count, zones.Keys.ToHashSet(), insert =>
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
