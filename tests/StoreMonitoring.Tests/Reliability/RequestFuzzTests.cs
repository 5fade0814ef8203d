using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StoreMonitoring.Tests.Infrastructure;
using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>
/// Random requests against every endpoint: random methods, ids, query strings, headers and bodies
/// (broken JSON, invalid UTF-8, lone surrogates, wrong types, random bytes). None may answer 500,
/// and every error is problem details with a detail. Seeded, so a failure names the seed and the
/// request number that reproduce it; bounded in count and in time.
/// </summary>
public sealed class RequestFuzzTests
{
    private const int Seed = 18;
    private const int Requests = 400;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("GET", "/"), ("GET", "/health"), ("GET", "/health/live"), ("GET", "/health/ready"), ("GET", "/metrics"),
        ("POST", "/import_data"), ("GET", "/debug_data"), ("POST", "/trigger_report"), ("GET", "/get_report"), ("GET", "/reports"),
        ("POST", "/polls"), ("GET", "/stores"), ("GET", "/stores/{id}"), ("GET", "/stores/{id}/timeline"), ("GET", "/stores/{id}/incidents"), ("GET", "/stores/{id}/days"),
        ("PUT", "/stores/{id}/hours"), ("PUT", "/stores/{id}/timezone"), ("GET", "/incidents"),
        ("POST", "/webhooks"), ("GET", "/webhooks"), ("GET", "/webhooks/{id}"), ("DELETE", "/webhooks/{id}"), ("POST", "/webhooks/{id}/test"),
        ("GET", "/webhooks/{id}/deliveries"), ("GET", "/ui/api/report_summary"), ("GET", "/ui/api/overview"), ("GET", "/ui/api/month"), ("GET", "/ui/{id}"), ("GET", "/openapi/v1.json"),
        ("GET", "/{id}"),
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"];

    private static readonly string[] QueryKeys =
        ["now", "method", "limit", "cursor", "status", "from", "to", "open", "min_minutes", "report_id", "format", "columns", "store_id", "allow_shrink", "x"];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/x-ndjson", "text/csv", "text/plain", "application/xml",
        "multipart/form-data; boundary=x", "application/json; charset=latin1", "garbage", "application/jsonl",
    ];

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Random_requests_never_get_a_500(Engine engine)
    {
        // Past the rate limit every request would be the same 429: the limit is raised (LimitTests covers it).
        await using var c = await CaseContext.CreateAsync(engine, seed: true, ("StoreMonitoring:RateLimit:PermitLimit", "100000"));
        var random = new Random(Seed);
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (; sent < Requests && clock.Elapsed < Budget; sent++)
        {
            using var request = Build(random);
            var shown = $"#{sent} (seed {Seed}) {request.Method} {request.RequestUri}";
            HttpResponseMessage response;
            try
            {
                response = await c.Client.SendAsync(request, TestContext.Current.CancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or FormatException)
            {
                // The client refused to send it (a header it will not put on the wire): not the service's answer.
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                if (status >= 500)
                {
                    failures.Add($"{shown}: {status} {Shorten(text)}");
                }
                else if (status >= 400 && request.Method != HttpMethod.Head)
                {
                    if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{shown}: {status} without problem details: {Shorten(text)}");
                    }
                    else if (!JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var detail) || string.IsNullOrWhiteSpace(detail.GetString()))
                    {
                        failures.Add($"{shown}: {status} without a detail: {Shorten(text)}");
                    }
                }
            }
        }

        Assert.True(sent >= 100, $"only {sent} requests in {Budget}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests failed ({string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}):\n{string.Join("\n", failures.Take(15))}");
        // The seeded stores' polls are all still there: no request took anything good away.
        Assert.True((await c.CountsAsync()).StoreStatus >= CaseContext.SeedCounts.StoreStatus);
    }

    private static HttpRequestMessage Build(Random random)
    {
        var (method, template) = Endpoints[random.Next(Endpoints.Length)];
        if (random.Next(6) == 0)
        {
            method = Methods[random.Next(Methods.Length)];
        }

        var path = template.Replace("{id}", Id(random), StringComparison.Ordinal);
        var query = random.Next(3) == 0 ? "" : "?" + string.Join("&", Enumerable.Range(0, random.Next(1, 5)).Select(_ => $"{Pick(random, QueryKeys)}={Value(random)}"));
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path + query, UriKind.Relative));
        if (method is "POST" or "PUT" or "PATCH" || random.Next(8) == 0)
        {
            request.Content = new ByteArrayContent(Body(random));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", Pick(random, ContentTypes));
        }

        for (var i = random.Next(3); i > 0; i--)
        {
            request.Headers.TryAddWithoutValidation(Pick(random, ["X-Forwarded-For", "Accept", "X-Api-Key", "Authorization", "If-None-Match", "Range", "X-Custom"]), Ascii(random, random.Next(0, 300)));
        }

        if (random.Next(10) == 0)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        }

        return request;
    }

    private static string Id(Random random) => random.Next(8) switch
    {
        0 => Uri.EscapeDataString(CaseFiles.Id(random.Next(CaseContext.SeedStores))),
        1 => Guid.NewGuid().ToString(),
        2 => "%" + string.Join("%", Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(256).ToString("X2", System.Globalization.CultureInfo.InvariantCulture))),
        3 => new string('a', random.Next(200, 2000)),
        4 => Pick(random, ["%2F", "%5C", "%2E%2E", "%00", "%E2%80%AE", "%EF%BB%BF", "%ED%A0%80", "a%20b", "%252F", "index.html", "app.js"]),
        5 => Uri.EscapeDataString(Unicode(random, random.Next(1, 20))),
        _ => Ascii(random, random.Next(1, 30)).Replace("/", "", StringComparison.Ordinal).Replace("?", "", StringComparison.Ordinal).Replace("#", "", StringComparison.Ordinal)
            .Replace("%", "%25", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal),
    };

    private static string Value(Random random) => random.Next(8) switch
    {
        0 => "",
        1 => random.NextInt64(long.MinValue, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => Pick(random, ["2024-10-14T23:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01", "2024-13-45", "now", "ratio", "interpolated", "json", "extended", "true", "maybe", "up", "-1", "1e309"]),
        3 => "%" + random.Next(256).ToString("X2", System.Globalization.CultureInfo.InvariantCulture),
        4 => Uri.EscapeDataString(Unicode(random, random.Next(1, 40))),
        5 => new string('9', random.Next(1, 400)),
        _ => Uri.EscapeDataString(Ascii(random, random.Next(0, 60))),
    };

    private static byte[] Body(Random random)
    {
        var poll = $$"""{"store_id":"{{CaseFiles.Id(random.Next(CaseContext.SeedStores))}}","status":"active","timestamp_utc":"2024-10-14T2{{random.Next(10)}}:00:00Z"}""";
        return random.Next(12) switch
        {
            0 => [],
            1 => Enumerable.Range(0, random.Next(1, 2000)).Select(_ => (byte)random.Next(256)).ToArray(),
            2 => Encoding.UTF8.GetBytes($"[{poll},{poll}"),
            3 => Encoding.UTF8.GetBytes(new string('[', random.Next(1, 200)) + new string(']', random.Next(0, 200))),
            4 => Bytes("[{\"store_id\":\"", new byte[] { 0xED, 0xA0, 0x80, 0xFF }, "\",\"status\":\"active\",\"timestamp_utc\":\"2024-10-14T20:00:00Z\"}]"),
            5 => Encoding.UTF8.GetBytes("""[{"store_id":"a\ud800","status":"active","timestamp_utc":"2024-10-14T20:00:00Z"}]"""),
            6 => Encoding.UTF8.GetBytes(Pick(random, [
                """[{"day":"x"}]""", """{"timezone_str":5}""", """{"timezone_str":"\udfff"}""", """[{"day":1e400,"start_time_local":"09:00:00","end_time_local":"17:00:00"}]""",
                """{"url":null,"events":[1,2],"store_ids":{"a":1},"min_minutes":-5}""", """{"url":"http://127.0.0.1/\r\n","events":["store.down"]}""", "null", "true", "\"x\"", "{}", "[]",
                """[{"day":1,"start_time_local":"09:00:00","end_time_local":"17:00:00","day":2}]""",
            ])),
            7 => Encoding.UTF8.GetBytes($"{StatusHeader}\n{CaseFiles.Id(1)},active,2024-10-14 2{random.Next(10)}:00:00 UTC\n\"unterminated,\n{Ascii(random, 50)}\n"),
            8 => Encoding.UTF8.GetBytes($"{poll}\n{Ascii(random, 40)}\n{{\"store_id\":{random.Next()}}}\n"),
            9 => Encoding.UTF8.GetBytes($"[{string.Join(",", Enumerable.Repeat(poll, random.Next(1, 50)))}]"),
            10 => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { store_id = Unicode(random, 30), status = Unicode(random, 5), timestamp_utc = Unicode(random, 10) })),
            _ => Encoding.UTF8.GetBytes(Ascii(random, random.Next(0, 500))),
        };
    }

    private static string Ascii(Random random, int length) => new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x20, 0x7F))]);

    /// <summary>Any code points, controls, format characters and surrogate pairs included (no lone surrogates: they have no UTF-8 to send).</summary>
    private static string Unicode(Random random, int length)
    {
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var codePoint = random.Next(4) switch
            {
                0 => random.Next(0, 0x100),
                1 => Pick(random, [0x200B, 0x202E, 0xFEFF, 0x2066, 0x2028, 0x1B, 0x7F, 0x9B, 0xFFFE]),
                2 => random.Next(0x10000, 0x10FFFF),
                _ => random.Next(0x100, 0xD7FF),
            };
            text.Append(char.ConvertFromUtf32(codePoint));
        }

        return text.ToString();
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;
}
