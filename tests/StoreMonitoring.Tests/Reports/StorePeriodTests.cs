using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;
using NodaTime;

namespace StoreMonitoring.Tests.Reports;

/// <summary>GET /stores/{id}?period=…: the store's row of the period report, alone.</summary>
public sealed class StorePeriodTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_store_s_period_figures_are_its_row_of_the_period_report(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:RateLimit:PermitLimit", "1000000")));
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/p1/timezone", new { timezone_str = "Europe/Berlin" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/p1/hours", Enumerable.Range(0, 5).Select(d => new { day = d, start_time_local = "08:00:00", end_time_local = "18:00:00" }))).StatusCode);
        // Polls every 50 minutes from 2024-10-20 to 2024-11-03, down every seventh, for p1 and p2.
        var start = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 20, 0, 3));
        var polls = Enumerable.Range(0, 14 * 24 * 6 / 5).Select(i => (At: start + i * 50 * UnixMicros.PerMinute, Active: i % 7 != 0)).ToArray();
        foreach (var chunk in polls.Chunk(100))
        {
            var items = chunk.SelectMany(p => new[] { "p1", "p2" }.Select(s => new { store_id = s, status = p.Active ? "active" : "inactive", timestamp_utc = UnixMicros.Format(p.At) }));
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", items)).StatusCode);
        }

        var now = UnixMicros.Format(polls[^1].At);
        foreach (var period in new[] { "month:2024-10", "week:2024-W44", "month:2024-11", "last_7_days", "day:2024-09-01" })
        {
            using var report = JsonDocument.Parse(await (await client.PostAsync($"/trigger_report?period={period}&now={now}&format=json", null)).Content.ReadAsStringAsync());
            var row = report.RootElement.GetProperty("stores").EnumerateArray().Single(r => r.GetProperty("store_id").GetString() == "p1");
            var response = await client.GetAsync($"/stores/p1?period={period}&now={now}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var one = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(report.RootElement.GetProperty("period").GetString(), one.RootElement.GetProperty("period").GetString());
            Assert.Equal("Europe/Berlin", one.RootElement.GetProperty("timezone").GetString());
            Assert.Equal(row.ToString(), one.RootElement.GetProperty("figures").ToString());
        }

        // The current date is partial, and so marked; a past month is not.
        using var november = JsonDocument.Parse(await client.GetStringAsync($"/stores/p1?period=month:2024-11&now={now}"));
        Assert.True(november.RootElement.GetProperty("figures").GetProperty("partial").GetBoolean());
        Assert.Equal("2024-11-03", november.RootElement.GetProperty("figures").GetProperty("period_end_local").GetString());
        using var october = JsonDocument.Parse(await client.GetStringAsync($"/stores/p1?period=month:2024-10&now={now}"));
        Assert.False(october.RootElement.GetProperty("figures").GetProperty("partial").GetBoolean());
        Assert.True(october.RootElement.GetProperty("figures").GetProperty("uptime_hours").GetDouble() > 0);

        // Without period the answer is the live one, as before.
        using var live = JsonDocument.Parse(await client.GetStringAsync($"/stores/p1?now={now}"));
        Assert.True(live.RootElement.TryGetProperty("windows", out _));

        var bad = await client.GetAsync("/stores/p1?period=month:2024-13");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadAsStringAsync();
        Assert.Contains("\"period\"", problem);
        Assert.Contains("month:2024-13", problem);
        var withMethod = await client.GetAsync("/stores/p1?period=month:2024-10&method=ratio");
        Assert.Equal(HttpStatusCode.BadRequest, withMethod.StatusCode);
        Assert.Contains("\"method\"", await withMethod.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/stores/nope?period=month:2024-10")).StatusCode);

        var openApi = await client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("StorePeriodView", openApi);
    }
}
