using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Stores;

public sealed class StoreDaysTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Days_show_each_local_date_with_closed_days_apart_from_unknown_ones(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:RateLimit:PermitLimit", "1000000")));
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/d1/timezone", new { timezone_str = "America/New_York" })).StatusCode);
        // Open Monday to Saturday (day 0 is Monday), closed on Sundays.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/d1/hours", Enumerable.Range(0, 6).Select(d => new { day = d, start_time_local = "09:00:00", end_time_local = "21:00:00" }))).StatusCode);
        // Hourly polls from Wednesday 2024-10-16 to Tuesday 2024-10-22 (local), down every fifth.
        var start = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 16, 4, 7));
        var polls = Enumerable.Range(0, 7 * 24 - 2).Select(i => (At: start + i * UnixMicros.PerHour, Active: i % 5 != 0)).ToArray();
        foreach (var chunk in polls.Chunk(50))
        {
            var items = chunk.Select(p => new { store_id = "d1", status = p.Active ? "active" : "inactive", timestamp_utc = UnixMicros.Format(p.At) });
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", items)).StatusCode);
        }

        // Default: the 90 dates up to the store's current date (the date of the latest poll).
        using (var json = JsonDocument.Parse(await client.GetStringAsync("/stores/d1/days")))
        {
            var days = json.RootElement.GetProperty("days").EnumerateArray().ToArray();
            Assert.Equal(90, days.Length);
            Assert.Equal("2024-10-22", json.RootElement.GetProperty("today").GetString());
            Assert.Equal("2024-10-22", days[^1].GetProperty("date").GetString());
            Assert.True(days[^1].GetProperty("partial").GetBoolean());
            Assert.False(json.RootElement.TryGetProperty("next_cursor", out var next) && next.ValueKind != JsonValueKind.Null);
        }

        using (var json = JsonDocument.Parse(await client.GetStringAsync("/stores/d1/days?from=2024-10-12&to=2024-10-21")))
        {
            var days = json.RootElement.GetProperty("days").EnumerateArray().ToDictionary(d => d.GetProperty("date").GetString()!);
            Assert.Equal(10, days.Count);
            // Sunday 13th, before any poll: closed, not unknown.
            Assert.True(days["2024-10-13"].GetProperty("closed").GetBoolean());
            Assert.Equal(0, days["2024-10-13"].GetProperty("business_hours").GetDouble());
            // Saturday 12th, before any poll: hours, nothing known.
            Assert.False(days["2024-10-12"].GetProperty("closed").GetBoolean());
            Assert.Equal(12, days["2024-10-12"].GetProperty("unknown_hours").GetDouble());
            Assert.False(days["2024-10-12"].TryGetProperty("availability_pct", out var pct) && pct.ValueKind != JsonValueKind.Null);
            // Sunday 20th, polled all day: still closed.
            Assert.True(days["2024-10-20"].GetProperty("closed").GetBoolean());
            // Thursday 17th: 12 polled hours, 12 in business hours, some down.
            var thursday = days["2024-10-17"];
            Assert.False(thursday.GetProperty("closed").GetBoolean());
            Assert.False(thursday.GetProperty("partial").GetBoolean());
            Assert.Equal(12, thursday.GetProperty("business_hours").GetDouble());
            Assert.Equal(12, thursday.GetProperty("polls_in_hours").GetInt32());
            Assert.True(thursday.GetProperty("downtime_hours").GetDouble() > 0);
            Assert.True(thursday.GetProperty("incidents").GetInt32() > 0);
            Assert.InRange(thursday.GetProperty("availability_pct").GetDouble(), 50, 99);
        }

        // Pages of at most limit dates, chained by next_cursor, cover the range once.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            using var json = JsonDocument.Parse(await client.GetStringAsync($"/stores/d1/days?from=2024-10-01&to=2024-10-22&limit=8{(cursor is null ? "" : "&cursor=" + cursor)}"));
            seen.AddRange(json.RootElement.GetProperty("days").EnumerateArray().Select(d => d.GetProperty("date").GetString()!));
            cursor = json.RootElement.TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Range(1, 22).Select(d => $"2024-10-{d:00}"), seen);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Bad_days_queries_name_the_parameter_and_an_unknown_store_is_404(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/d2/timezone", new { timezone_str = "Europe/Paris" })).StatusCode);
        foreach (var (query, name) in new[]
                 {
                     ("from=2024-13-01", "from"), ("to=yesterday", "to"), ("from=2024-10-05&to=2024-10-01", "from"),
                     ("from=2020-01-01&to=2024-01-01", "to"), ("limit=401", "limit"), ("cursor=%21%21", "cursor"),
                 })
        {
            var response = await client.GetAsync($"/stores/d2/days?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(name, out _), $"{query}: {json.RootElement}");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/stores/nope/days")).StatusCode);
    }
}
