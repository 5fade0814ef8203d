using System.Text;
using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>
/// Every failure has a status and a detail: strings that are not Unicode inside poll batches,
/// bodies that are not JSON or have a field of the wrong type, on every endpoint that takes one,
/// and HEAD on the probes.
/// </summary>
internal static class RequestFailureCases
{
    private static readonly string Good = StoreIdCases.Poll(Id(1));

    public static IEnumerable<BadInputCase> All()
    {
        yield return Polls("a lone surrogate escape in a store id", Encoding.UTF8.GetBytes($$"""[{{Good}},{"store_id":"x\ud800y","status":"active","timestamp_utc":"2024-10-15T00:06:00Z"}]"""), 1, "not valid Unicode");
        yield return Polls("a lone low surrogate escape in a status", Encoding.UTF8.GetBytes($$"""[{{Good}},{"store_id":"x","status":"act\udc00ive","timestamp_utc":"2024-10-15T00:06:00Z"}]"""), 1, "not valid Unicode");
        yield return new BadInputCase
        {
            Name = "polls: invalid UTF-8 inside a JSON string",
            Request = "POST /polls",
            Body = Bytes($"[{Good},{{\"store_id\":\"x", new byte[] { 0xC3, 0x28 }, "y\",\"status\":\"active\",\"timestamp_utc\":\"2024-10-15T00:06:00Z\"}]"),
            // JsonDocument keeps a string's bytes as sent: the item is rejected, the rest goes in.
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
            Check = (_, body) => StoreIdCases.Rejected(body, index: 1, "not valid Unicode"),
        };
        yield return new BadInputCase
        {
            Name = "polls: invalid UTF-8 inside an NDJSON line",
            Request = "POST /polls",
            ContentType = "application/x-ndjson",
            Body = Bytes($"{Good}\n{{\"store_id\":\"x", new byte[] { 0xFF }, "y\",\"status\":\"active\",\"timestamp_utc\":\"2024-10-15T00:06:00Z\"}\n"),
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
            Check = (_, body) => StoreIdCases.Rejected(body, index: 2, "not valid Unicode|not valid JSON"),
        };
        yield return new BadInputCase
        {
            Name = "polls: a lone surrogate escape inside an NDJSON line",
            Request = "POST /polls",
            ContentType = "application/x-ndjson",
            Body = Encoding.UTF8.GetBytes($"{Good}\n{{\"store_id\":\"x\\udbffy\",\"status\":\"active\",\"timestamp_utc\":\"2024-10-15T00:06:00Z\"}}\n"),
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
            Check = (_, body) => StoreIdCases.Rejected(body, index: 2, "not valid Unicode"),
        };

        var hours = $"PUT /stores/{Id(1)}/hours";
        var zone = $"PUT /stores/{Id(1)}/timezone";
        yield return Body("hours: not JSON", hours, "{", "not valid JSON");
        yield return Body("hours: not JSON at all", hours, "day=1", "not valid JSON");
        yield return Body("hours: an object instead of an array", hours, """{"day":1}""", "not the shape");
        yield return Body("hours: day as text", hours, """[{"day":"monday","start_time_local":"09:00:00","end_time_local":"17:00:00"}]""", "[0].day", "wrong type");
        yield return Body("hours: a time as a number", hours, """[{"day":1,"start_time_local":900,"end_time_local":"17:00:00"}]""", "start_time_local", "wrong type");
        yield return Body("hours: a lone surrogate escape", hours, """[{"day":1,"start_time_local":"\ud800","end_time_local":"17:00:00"}]""", "start_time_local|not valid Unicode");
        yield return Body("hours: an empty body", hours, "", "body");
        yield return Body("timezone: a number", zone, """{"timezone_str":5}""", "timezone_str", "wrong type");
        yield return Body("timezone: an array", zone, """["America/Chicago"]""", "not the shape");
        yield return Body("timezone: trailing garbage", zone, """{"timezone_str":"America/Chicago"} x""", "not valid JSON|malformed");
        yield return new BadInputCase
        {
            Name = "body: timezone: invalid UTF-8 in the zone",
            Request = zone,
            Body = Bytes("{\"timezone_str\":\"America/", new byte[] { 0xFF, 0xFE }, "\"}"),
            Status = 400,
            Fragments = ["timezone_str|not valid"],
        };
        yield return Body("webhook: min_minutes as text", "POST /webhooks", """{"url":"http://127.0.0.1:9/x","events":["store.down"],"min_minutes":"sixty"}""", "min_minutes", "wrong type");
        yield return Body("webhook: events as a string", "POST /webhooks", """{"url":"http://127.0.0.1:9/x","events":"store.down"}""", "events", "wrong type");
        yield return Body("webhook: url as an object", "POST /webhooks", """{"url":{"href":"x"},"events":["store.down"]}""", "url", "wrong type");
        yield return Body("webhook: nested too deep", "POST /webhooks", new string('[', 100) + new string(']', 100), "body|depth|not valid");
        yield return new BadInputCase
        {
            Name = "body: webhook: another content type",
            Request = "POST /webhooks",
            ContentType = "text/plain",
            Body = "url=x"u8.ToArray(),
            Status = 415,
            Fragments = ["content type|Content-Type|application/json"],
        };

        foreach (var path in new[] { "/", "/health", "/health/live", "/health/ready" })
        {
            yield return new BadInputCase { Name = $"http: HEAD {path}", Request = $"HEAD {path}", Status = 200 };
        }
    }

    private static BadInputCase Polls(string name, byte[] body, long index, string reason) => new()
    {
        Name = $"polls: {name}",
        Request = "POST /polls",
        Body = body,
        Status = 200,
        Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
        Check = (_, json) => StoreIdCases.Rejected(json, index, reason),
    };

    private static BadInputCase Body(string name, string request, string body, params string[] fragments) => new()
    {
        Name = $"body: {name}",
        Request = request,
        Body = Encoding.UTF8.GetBytes(body),
        Status = 400,
        Fragments = fragments,
    };
}
