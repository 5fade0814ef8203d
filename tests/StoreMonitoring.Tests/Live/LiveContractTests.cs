using System.Net;
using System.Net.Http.Json;
using System.Text;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Live;

/// <summary>What POST /polls, the store, timeline and incident endpoints answer, bad input included.</summary>
public sealed class LiveContractTests
{
    private static StringContent Body(string text, string type) => new(text, Encoding.UTF8, type);

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Every_bad_item_kind_is_skipped_and_reported_and_the_good_ones_kept(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        var json = """
            [
              {"store_id":"a","status":"active","timestamp_utc":"2024-10-14T10:00:00Z"},
              {"store_id":"a","status":"active","timestamp_utc":"2024-10-14T10:00:00Z"},
              {"store_id":"a","status":"inactive","timestamp_utc":"2024-10-14T10:00:00Z"},
              {"store_id":"","status":"active","timestamp_utc":"2024-10-14T10:00:00Z"},
              {"store_id":"a\u0000b","status":"active","timestamp_utc":"2024-10-14T10:00:00Z"},
              {"store_id":"LONG","status":"active","timestamp_utc":"2024-10-14T10:00:00Z"},
              {"store_id":"a","status":"asleep","timestamp_utc":"2024-10-14T11:00:00Z"},
              {"store_id":"a","status":"active","timestamp_utc":"yesterday"},
              {"store_id":"a","status":"active","timestamp_utc":"9999-12-31T23:59:59Z"},
              {"store_id":"a","status":"active","timestamp_utc":"1999-12-31T23:59:59Z"},
              {"store_id":"a","status":"active"},
              {"store_id":7,"status":"active","timestamp_utc":"2024-10-14T12:00:00Z"},
              "a,active,2024-10-14T12:00:00Z",
              {"store_id":"b","status":"inactive","timestamp_utc":"2024-10-14 12:00:00.123456 UTC"}
            ]
            """.Replace("LONG", new string('x', 256), StringComparison.Ordinal);
        var result = await (await client.PostAsync("/polls", Body(json, "application/json"))).JsonAsync();

        Assert.Equal(2, result.GetProperty("accepted").GetInt64());
        Assert.Equal(1, result.GetProperty("unchanged").GetInt64());
        Assert.Equal(1, result.GetProperty("conflicts").GetInt64());
        Assert.Equal(10, result.GetProperty("rejected").GetInt64());
        var reasons = result.GetProperty("rejected_examples").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt64(), r => r.GetProperty("reason").GetString()!);
        Assert.Contains("empty store_id", reasons[3], StringComparison.Ordinal);
        Assert.Contains("control character", reasons[4], StringComparison.Ordinal);
        Assert.Contains("longer than 255", reasons[5], StringComparison.Ordinal);
        Assert.Contains("unknown status", reasons[6], StringComparison.Ordinal);
        Assert.Contains("unparsable timestamp_utc", reasons[7], StringComparison.Ordinal);
        Assert.Contains("outside the accepted range", reasons[8], StringComparison.Ordinal);
        Assert.Contains("outside the accepted range", reasons[9], StringComparison.Ordinal);
        Assert.Contains("must each be a string", reasons[10], StringComparison.Ordinal);
        Assert.Contains("must each be a string", reasons[11], StringComparison.Ordinal);
        Assert.Contains("not an object", reasons[12], StringComparison.Ordinal);
        var conflict = result.GetProperty("conflict_examples")[0];
        Assert.Equal(2, conflict.GetProperty("index").GetInt64());
        Assert.Contains("which says active", conflict.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // NDJSON and CSV report lines; the same poll again is unchanged, whatever its notation.
        var ndjson = "{\"store_id\":\"a\",\"status\":\"active\",\"timestamp_utc\":\"2024-10-14T10:00:00+00:00\"}\n{not json}\n\n{\"store_id\":\"c\",\"status\":\"active\",\"timestamp_utc\":\"2024-10-14T13:00:00Z\"}\n";
        var lines = await (await client.PostAsync("/polls", Body(ndjson, "application/x-ndjson"))).JsonAsync();
        Assert.Equal((1L, 1L, 1L), (lines.GetProperty("accepted").GetInt64(), lines.GetProperty("unchanged").GetInt64(), lines.GetProperty("rejected").GetInt64()));
        Assert.Equal(2, lines.GetProperty("rejected_examples")[0].GetProperty("line").GetInt64());

        var csv = "store_id,status,timestamp_utc\nd,active,2024-10-14 13:00:00 UTC\nd,maybe,2024-10-14 14:00:00 UTC\n";
        var rows = await (await client.PostAsync("/polls", Body(csv, "text/csv"))).JsonAsync();
        Assert.Equal((1L, 1L), (rows.GetProperty("accepted").GetInt64(), rows.GetProperty("rejected").GetInt64()));
        Assert.Equal(3, rows.GetProperty("rejected_examples")[0].GetProperty("line").GetInt64());

        var debug = await (await client.GetAsync("/debug_data")).JsonAsync();
        Assert.Equal(4, debug.GetProperty("counts").GetProperty("store_status").GetInt64());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_batch_that_cannot_be_taken_is_refused_whole(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        async Task Refused(HttpContent content, HttpStatusCode status, string fragment)
        {
            var response = await client.PostAsync("/polls", content);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(fragment, text, StringComparison.Ordinal);
        }

        await Refused(Body("[{\"store_id\":\"a\",", "application/json"), HttpStatusCode.BadRequest, "not valid JSON");
        await Refused(Body("{\"store_id\":\"a\"}", "application/json"), HttpStatusCode.BadRequest, "must be a JSON array");
        await Refused(Body("a,b", "application/xml"), HttpStatusCode.UnsupportedMediaType, "text/csv");
        await Refused(Body("store_id,status\na,active\n", "text/csv"), HttpStatusCode.BadRequest, "bad header");
        var tooMany = "[" + string.Join(",", Enumerable.Repeat("{\"store_id\":\"a\",\"status\":\"active\",\"timestamp_utc\":\"2024-10-14T10:00:00Z\"}", 100_001)) + "]";
        await Refused(Body(tooMany, "application/json"), HttpStatusCode.BadRequest, "at most 100,000");

        var debug = await (await client.GetAsync("/debug_data")).JsonAsync();
        Assert.Equal(0, debug.GetProperty("counts").GetProperty("store_status").GetInt64());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Stores_timelines_and_incidents_answer_their_contract(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        // Open 09:00-17:00 New York on Monday 14 October 2024; down from 11:00 to 13:00 local.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/s1/timezone", new { timezone_str = "America/New_York" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/s1/hours", new[] { new { day = 0, start_time_local = "09:00", end_time_local = "17:00:00" } })).StatusCode);
        var polls = new[] { ("13:00", "active"), ("14:00", "active"), ("15:00", "inactive"), ("16:00", "inactive"), ("17:00", "inactive"), ("18:00", "active"), ("19:00", "active") }
            .Select(p => new { store_id = "s1", status = p.Item2, timestamp_utc = $"2024-10-14T{p.Item1}:00Z" });
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", polls)).StatusCode);

        var incidents = await (await client.GetAsync("/stores/s1/incidents")).JsonAsync();
        var incident = Assert.Single(incidents.GetProperty("incidents").EnumerateArray());
        Assert.False(incident.GetProperty("open").GetBoolean());
        Assert.Equal(3, incident.GetProperty("polls").GetInt32());
        Assert.Equal("2024-10-14T14:30:00Z", incident.GetProperty("start").GetString());
        Assert.Equal("2024-10-14T17:30:00Z", incident.GetProperty("end").GetString());
        Assert.Equal(180, incident.GetProperty("duration_minutes").GetDouble());
        Assert.Equal("2024-10-14T10:30:00-04:00", incident.GetProperty("start_local").GetString());
        Assert.Single((await (await client.GetAsync("/incidents?open=false&min_minutes=180")).JsonAsync()).GetProperty("incidents").EnumerateArray());
        Assert.Empty((await (await client.GetAsync("/incidents?min_minutes=181")).JsonAsync()).GetProperty("incidents").EnumerateArray());
        Assert.Empty((await (await client.GetAsync("/incidents?open=true")).JsonAsync()).GetProperty("incidents").EnumerateArray());
        Assert.Empty((await (await client.GetAsync("/incidents?to=2024-10-14T14:00:00Z")).JsonAsync()).GetProperty("incidents").EnumerateArray());

        // A recovery poll that arrives late changes nothing; an outage at night raises none.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", new[] { new { store_id = "s1", status = "inactive", timestamp_utc = "2024-10-15T03:00:00Z" } })).StatusCode);
        Assert.Single((await (await client.GetAsync("/incidents?store_id=s1")).JsonAsync()).GetProperty("incidents").EnumerateArray());

        var page = await (await client.GetAsync("/stores/s1?now=2024-10-14T21:30:00Z")).JsonAsync();
        Assert.Equal(("closed", false, "2024-10-14T17:30:00-04:00"), (page.GetProperty("state").GetString(), page.GetProperty("open_now").GetBoolean(), page.GetProperty("local_time").GetString()));
        Assert.Equal(8, page.GetProperty("last_day").GetProperty("business").GetDouble());
        Assert.Equal("up", (await (await client.GetAsync("/stores/s1?now=2024-10-14T19:30:00Z")).JsonAsync()).GetProperty("state").GetString());
        Assert.Equal("down", (await (await client.GetAsync("/stores/s1?now=2024-10-14T16:10:00Z")).JsonAsync()).GetProperty("state").GetString());

        var timeline = await (await client.GetAsync("/stores/s1/timeline?from=2024-10-14T12:00:00Z&to=2024-10-14T22:00:00Z")).JsonAsync();
        var states = timeline.GetProperty("intervals").EnumerateArray().Select(i => i.GetProperty("state").GetString()).Distinct().ToList();
        Assert.Equal(["closed", "up", "down", "unknown"], states);
        Assert.Equal(7, timeline.GetProperty("polls").GetArrayLength());

        async Task Status(string url, HttpStatusCode status, string fragment)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(fragment, (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await Status("/stores/nope", HttpStatusCode.NotFound, "No store with id 'nope'");
        await Status("/stores/nope/timeline", HttpStatusCode.NotFound, "No store");
        await Status("/incidents?store_id=nope", HttpStatusCode.NotFound, "No store");
        await Status("/stores/s1/timeline?method=ratio", HttpStatusCode.BadRequest, "has no timeline");
        await Status("/stores/s1/timeline?method=learned", HttpStatusCode.BadRequest, "has no timeline");
        await Status("/stores/s1/timeline?from=2024-10-01T00:00:00Z&to=2024-10-14T00:00:00Z", HttpStatusCode.BadRequest, "at most 7 days");
        await Status("/stores/s1/timeline?from=2024-10-14T00:00:00Z&to=2024-10-13T00:00:00Z", HttpStatusCode.BadRequest, "before to");
        await Status("/stores?status=sleeping", HttpStatusCode.BadRequest, "status 'sleeping'");
        await Status("/stores?cursor=%%%", HttpStatusCode.BadRequest, "cursor");
        await Status("/incidents?open=maybe", HttpStatusCode.BadRequest, "open 'maybe'");
        await Status("/incidents?limit=0", HttpStatusCode.BadRequest, "limit");
        await Status("/stores/s1?now=9999-01-01T00:00:00Z", HttpStatusCode.BadRequest, "outside the accepted range");

        var badHours = await client.PutAsJsonAsync("/stores/s1/hours", new[] { new { day = 7, start_time_local = "09:00", end_time_local = "17:00" } });
        Assert.Equal(HttpStatusCode.BadRequest, badHours.StatusCode);
        var badZone = await client.PutAsJsonAsync("/stores/s1/timezone", new { timezone_str = "Mars/Olympus" });
        Assert.Equal(HttpStatusCode.BadRequest, badZone.StatusCode);
        Assert.Equal("America/New_York", (await (await client.GetAsync("/stores/s1")).JsonAsync()).GetProperty("timezone").GetString());
    }
}
