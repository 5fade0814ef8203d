using System.Text;
using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>
/// The store id alphabet, the same whichever way an id arrives: a status file, a time-zone file,
/// a poll batch, a PUT's URL, a webhook's store list. Each bad id is refused with its reason and
/// the good row beside it still goes in.
/// </summary>
internal static class StoreIdCases
{
    /// <summary>Ids no layer can carry safely, and the words of the reason each gets.</summary>
    public static readonly (string Label, string Id, string Reason)[] BadIds =
    [
        ("a slash", "north/7", "'/'"),
        ("a backslash", "north\\7", "'\\'"),
        ("a lone dot", ".", "'.' or '..'"),
        ("two dots", "..", "'.' or '..'"),
        ("a zero-width space", "store\u200B7", "U+200B"),
        ("a right-to-left override", "store\u202E7", "U+202E"),
        ("a byte-order mark inside", "store\uFEFF7", "U+FEFF"),
        ("a bidirectional isolate", "store\u20667", "U+2066"),
        ("a line separator", "store\u20287", "U+2028"),
        ("an escape sequence", "store\u001B[31m7", "control character"),
        ("an encoded slash as text", "north%2F7", "'%2F'"),
    ];

    public static IEnumerable<BadInputCase> All()
    {
        foreach (var (label, id, reason) in BadIds)
        {
            yield return new BadInputCase
            {
                Name = $"store id in a status file: {label}",
                Files = c => c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1), $"{id},active,2024-10-15 00:02:00 UTC")),
                Status = 200,
                Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
                Check = Summary(StatusFile, imported: 1, rejected: 1, line: 3, reason: reason),
            };
            yield return new BadInputCase
            {
                Name = $"store id in a time-zone file: {label}",
                Files = c => c.Write(ZonesFile, Lines(ZonesHeader, GoodZone(0), GoodZone(1), GoodZone(2), $"{id},America/Chicago")),
                Status = 200,
                Counts = b => b with { Timezones = 3 },
                Check = Summary(ZonesFile, imported: 3, rejected: 1, line: 5, reason: reason),
            };
            yield return new BadInputCase
            {
                Name = $"store id in a poll batch: {label}",
                Request = "POST /polls",
                Body = Encoding.UTF8.GetBytes($"[{Poll(Id(1))},{Poll(id)}]"),
                Status = 200,
                Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
                Check = (_, body) => Rejected(body, index: 1, reason),
            };
            if (id is "." or "..")
            {
                // A client resolves them away before sending: /stores/../timezone never reaches the
                // service as this id, which is why no layer may accept it.
                continue;
            }

            yield return new BadInputCase
            {
                Name = $"store id in a PUT: {label}",
                Request = $"PUT /stores/{Uri.EscapeDataString(id)}/timezone",
                Body = """{"timezone_str":"America/New_York"}"""u8.ToArray(),
                Status = 400,
                Fragments = [reason],
                Check = async (c, _) => Assert.Equal(CaseContext.SeedStores, await c.CountStoresAsync()),
            };
            yield return new BadInputCase
            {
                Name = $"store id in a GET: {label}",
                Request = $"GET /stores/{Uri.EscapeDataString(id)}/timeline",
                Status = 400,
                Fragments = ["store_id", reason],
            };
            yield return new BadInputCase
            {
                Name = $"store id in a webhook's store list: {label}",
                Request = "POST /webhooks",
                Body = Encoding.UTF8.GetBytes(
                    $$"""{"url":"http://127.0.0.1:9/x","events":["store.down"],"store_ids":[{{System.Text.Json.JsonSerializer.Serialize(id)}}]}"""),
                Status = 400,
                Fragments = ["store_ids"],
            };
        }

        yield return new BadInputCase
        {
            Name = "store id in a PUT: an encoded slash (%2F)",
            Request = "PUT /stores/north%2F7/timezone",
            Body = """{"timezone_str":"America/New_York"}"""u8.ToArray(),
            Status = 400,
            Fragments = ["store_id", "'/'"],
            Check = async (c, _) => Assert.Equal(CaseContext.SeedStores, await c.CountStoresAsync()),
        };
        yield return new BadInputCase
        {
            Name = "webhook url with a raw CR LF",
            Request = "POST /webhooks",
            Body = """{"url":"http://127.0.0.1:9/x\r\nX-Injected: 1","events":["store.down"]}"""u8.ToArray(),
            Status = 400,
            Fragments = ["url", "line feed"],
        };
    }

    internal static string Poll(string storeId) =>
        $$"""{"store_id":{{System.Text.Json.JsonSerializer.Serialize(storeId)}},"status":"active","timestamp_utc":"2024-10-15T00:05:00Z"}""";

    internal static Task Rejected(System.Text.Json.JsonElement body, long index, string reason)
    {
        Assert.Equal(1, body.GetProperty("accepted").GetInt64());
        Assert.Equal(1, body.GetProperty("rejected").GetInt64());
        var example = body.GetProperty("rejected_examples")[0];
        Assert.Equal(index, example.TryGetProperty("index", out var i) ? i.GetInt64() : example.GetProperty("line").GetInt64());
        var shown = example.GetProperty("reason").GetString() ?? "";
        Assert.True(reason.Split('|').Any(r => shown.Contains(r, StringComparison.OrdinalIgnoreCase)), $"reason does not name '{reason}': {shown}");
        return Task.CompletedTask;
    }
}
