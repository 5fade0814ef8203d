using System.Data.Common;
using Dapper;
using NodaTime;

namespace StoreMonitoring.Stores;

/// <summary>What the report needs to know of a store besides its polls: its id, zone and weekly hours.</summary>
public sealed record StoreProfile(int Key, string StoreId, DateTimeZone Zone, WeeklySchedule Schedule)
{
    /// <summary>A store with no stored profile: open 24x7 in the default zone.</summary>
    public static StoreProfile Unknown(int key) => new(key, $"#{key}", BusinessHours.DefaultZone, WeeklySchedule.AlwaysOpen);
}

/// <summary>Loads every store's profile from the tables the import fills.</summary>
public static class StoreProfiles
{
    public static Dictionary<int, StoreProfile> Load(DbConnection connection, DbTransaction? transaction = null)
    {
        var zones = new Dictionary<int, DateTimeZone>();
        foreach (var (key, zone) in connection.Query<(int, string)>("SELECT store_key, timezone_str FROM store_timezones", transaction: transaction))
        {
            zones[key] = BusinessHours.ZoneOrDefault(zone);
        }

        var windows = new Dictionary<int, List<OpeningWindow>>();
        foreach (var (key, day, start, end) in connection.Query<(int, int, string, string)>("SELECT store_key, day_of_week, start_local, end_local FROM business_hours", transaction: transaction))
        {
            // The import stores only valid rows; a row edited by hand into nonsense is skipped, not fatal.
            if (LocalTimeText.TryParse(start, out var startTime) && LocalTimeText.TryParse(end, out var endTime) && day is >= 0 and <= 6)
            {
                if (!windows.TryGetValue(key, out var list))
                {
                    windows[key] = list = [];
                }

                list.Add(new OpeningWindow(day, startTime, endTime));
            }
        }

        var stores = new Dictionary<int, StoreProfile>();
        foreach (var (key, id) in connection.Query<(int, string)>("SELECT store_key, store_id FROM stores", transaction: transaction))
        {
            stores[key] = new StoreProfile(
                key,
                id,
                zones.GetValueOrDefault(key, BusinessHours.DefaultZone),
                windows.TryGetValue(key, out var list) ? new WeeklySchedule(list) : WeeklySchedule.AlwaysOpen);
        }

        return stores;
    }
}
