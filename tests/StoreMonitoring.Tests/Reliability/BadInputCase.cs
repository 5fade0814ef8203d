using System.Text;
using System.Text.Json;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>
/// One row of the bad-input table: what to write into the data directory (or which request to
/// send), and what the service must answer and keep.
/// </summary>
public sealed record BadInputCase
{
    public required string Name { get; init; }

    /// <summary>Seed the database with a known good import first (all cases but the empty-database one).</summary>
    public bool Seed { get; init; } = true;

    /// <summary>Writes the case's input files; the request is then <c>POST /import_data</c> unless <see cref="Request"/> says otherwise.</summary>
    public Action<CaseContext>? Files { get; init; }

    /// <summary>"METHOD path?query".</summary>
    public string Request { get; init; } = "POST /import_data";

    /// <summary>The request's body, sent as is (bytes: invalid UTF-8 must reach the service unchanged).</summary>
    public byte[]? Body { get; init; }

    public string ContentType { get; init; } = "application/json";

    public required int Status { get; init; }

    /// <summary>Each must appear in the problem's <c>detail</c> (case-insensitive); "a|b" accepts either.</summary>
    public string[] Fragments { get; init; } = [];

    /// <summary>The line the problem's <c>detail</c> must name.</summary>
    public int? Line { get; init; }

    /// <summary>Text that must not appear anywhere in the response body.</summary>
    public string[] NotInBody { get; init; } = [];

    /// <summary>The table counts after the case, from those before; null = unchanged.</summary>
    public Func<TableCounts, TableCounts>? Counts { get; init; }

    /// <summary>Further checks on the response body (JSON) and the database.</summary>
    public Func<CaseContext, JsonElement, Task>? Check { get; init; }

    public override string ToString() => Name;
}

/// <summary>Building blocks for the cases: file texts and checks of a 200 import summary.</summary>
internal static class CaseFiles
{
    public const string StatusFile = "store_status.csv";
    public const string HoursFile = "menu_hours.csv";
    public const string ZonesFile = "timezones.csv";
    public const string StatusHeader = "store_id,status,timestamp_utc";
    public const string HoursHeader = "store_id,dayOfWeek,start_time_local,end_time_local";
    public const string ZonesHeader = "store_id,timezone_str";

    /// <summary>A secret that a symlink's target holds: it must never come back in a response.</summary>
    public const string Secret = "SECRET-7f3a9c";

    public static string Id(int store) => InputData.StoreId(store);

    public static string Lines(string header, params string[] rows) => header + "\n" + string.Concat(rows.Select(r => r + "\n"));

    /// <summary>A new poll of a seeded store, after the seed's latest poll and inside the accepted range.</summary>
    public static string GoodPoll(int minute) => $"{Id(1)},active,2024-10-15 00:{minute:D2}:00 UTC";

    public static string GoodHours(int store, int day) => $"{Id(store)},{day},09:00:00,17:00:00";

    public static string GoodZone(int store) => $"{Id(store)},America/New_York";

    /// <summary>UTF-8 text with raw bytes spliced in.</summary>
    public static byte[] Bytes(params object[] parts)
    {
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            bytes.AddRange(part switch
            {
                string text => Encoding.UTF8.GetBytes(text),
                byte[] raw => raw,
                _ => throw new ArgumentException($"not text or bytes: {part}", nameof(parts)),
            });
        }

        return [.. bytes];
    }

    /// <summary>A good time-zone snapshot of 3 stores, written next to a broken file: it must still import.</summary>
    public static void GoodZonesBeside(CaseContext c) => c.Write(ZonesFile, Lines(ZonesHeader, GoodZone(0), GoodZone(1), GoodZone(2)));

    /// <summary>A good business-hours snapshot of 5 rows, written next to a broken file: it must still import.</summary>
    public static void GoodHoursBeside(CaseContext c) =>
        c.Write(HoursFile, Lines(HoursHeader, GoodHours(1, 0), GoodHours(1, 1), GoodHours(1, 2), GoodHours(2, 0), GoodHours(2, 1)));

    public static JsonElement FileSummary(JsonElement body, string file)
    {
        Assert.True(body.TryGetProperty("files", out var files), $"no 'files' in {body}");
        Assert.True(files.TryGetProperty(file, out var summary), $"no summary of {file} in {files}");
        return summary;
    }

    public static long Number(JsonElement summary, string name)
    {
        Assert.True(summary.TryGetProperty(name, out var value), $"no '{name}' in {summary}");
        return value.GetInt64();
    }

    /// <summary>The file imported with these row counts, and its first rejected or conflicting row is this one.</summary>
    public static Func<CaseContext, JsonElement, Task> Summary(
        string file, long imported, long rejected = 0, int? line = null, string? reason = null, long unchanged = 0, long conflicts = 0, int? conflictLine = null)
    {
        return (_, body) =>
        {
            var summary = FileSummary(body, file);
            Assert.False(summary.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String, $"{file} failed: {error}");
            Assert.Equal(imported, Number(summary, "imported"));
            Assert.Equal(rejected, Number(summary, "rejected"));
            Assert.Equal(unchanged, Number(summary, "unchanged"));
            // A missing field fails the summary-shape case; here it only matters where conflicts are expected.
            if (conflicts > 0 || summary.TryGetProperty("conflicts", out var _))
            {
                Assert.Equal(conflicts, Number(summary, "conflicts"));
            }

            if (line is not null)
            {
                var example = summary.GetProperty("rejected_examples")[0];
                Assert.Equal(line.Value, example.GetProperty("line").GetInt64());
                Assert.Contains(reason!, example.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
            }

            if (conflictLine is not null)
            {
                Assert.True(summary.TryGetProperty("conflict_examples", out var examples), $"no conflict_examples in {summary}");
                Assert.Equal(conflictLine.Value, examples[0].GetProperty("line").GetInt64());
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Creates a named pipe: opening it for reading blocks until someone writes.</summary>
    public static void MakeFifo(string path)
    {
        using var process = System.Diagnostics.Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    /// <summary>
    /// After a while, opens the pipe for writing and closes it: a reader stuck on it gets an
    /// empty file, so a service that opens it fails the case instead of hanging the run.
    /// </summary>
    public static void ReleaseFifoLater(CaseContext c, string path) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(8), c.Ending);
                // O_RDWR never blocks on a FIFO, and closing it gives a blocked reader end-of-file.
                using var release = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The case ended first, or the pipe is gone with the case's folder.
            }
        });
}
