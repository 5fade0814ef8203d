using System.Globalization;
using System.Text;

namespace StoreMonitoring.Tests.Infrastructure;

/// <summary>Writes small, deterministic input files in the real formats.</summary>
public static class InputData
{
    public static readonly DateTime Latest = new(2024, 10, 14, 23, 0, 0, DateTimeKind.Utc);

    public static string StoreId(int i) => $"{i:D8}-0000-4000-8000-{i * 7919 % 1_000_000_000_000:D12}";

    /// <summary>Hourly polls for 8 days before <see cref="Latest"/>, with a seeded random state.</summary>
    public static void WriteStatus(string path, int stores, int seed = 1, int days = 8, bool bom = true)
    {
        var random = new Random(seed);
        var text = new StringBuilder("store_id,status,timestamp_utc\n");
        for (var hour = days * 24; hour >= 0; hour--)
        {
            for (var s = 0; s < stores; s++)
            {
                var at = Latest.AddHours(-hour).AddSeconds(-random.Next(0, 600)).AddTicks(random.Next(0, 1_000_000) * 10);
                if (hour == 0 && s == 0)
                {
                    at = Latest;
                }

                text.Append(CultureInfo.InvariantCulture, $"{StoreId(s)},{(random.NextDouble() < 0.85 ? "active" : "inactive")},{at:yyyy-MM-dd HH:mm:ss.ffffff} UTC\n");
            }
        }

        Write(path, text.ToString(), bom);
    }

    public static void WriteHours(string path, int stores, string dayColumn = "dayOfWeek")
    {
        var text = new StringBuilder($"store_id,{dayColumn},start_time_local,end_time_local\n");
        for (var s = 0; s < stores; s++)
        {
            switch (s % 4)
            {
                case 0:
                    break; // no rows: open 24x7
                case 1:
                    for (var d = 0; d < 7; d++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{StoreId(s)},{d},09:00:00,17:00:00\n");
                    }

                    break;
                case 2:
                    for (var d = 0; d < 5; d++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{StoreId(s)},{d},11:00:00,14:00:00\n{StoreId(s)},{d},17:00:00,23:59:59\n");
                    }

                    break;
                default:
                    for (var d = 0; d < 7; d++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{StoreId(s)},{d},18:00:00,02:00:00\n");
                    }

                    break;
            }
        }

        Write(path, text.ToString(), bom: false);
    }

    public static void WriteTimezones(string path, int stores)
    {
        string[] zones = ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu"];
        var text = new StringBuilder("store_id,timezone_str\n");
        for (var s = 0; s < stores; s++)
        {
            if (s % 5 != 4)
            {
                text.Append(CultureInfo.InvariantCulture, $"{StoreId(s)},{zones[s % zones.Length]}\n");
            }
        }

        Write(path, text.ToString(), bom: false);
    }

    /// <summary>All three files, under their usual names.</summary>
    public static void WriteAll(string directory, int stores, int seed = 1)
    {
        WriteStatus(Path.Combine(directory, "store_status.csv"), stores, seed);
        WriteHours(Path.Combine(directory, "menu_hours.csv"), stores);
        WriteTimezones(Path.Combine(directory, "timezones.csv"), stores);
    }

    public static void Write(string path, string text, bool bom = false) =>
        File.WriteAllText(path, text, new UTF8Encoding(bom));
}
