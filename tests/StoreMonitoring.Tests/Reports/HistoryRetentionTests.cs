using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NodaTime;
using StoreMonitoring.Reports.Rollups;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports;

/// <summary>Retention:PollDays and Retention:RollupDays: raw polls go, the rollups of their dates stay.</summary>
public sealed class HistoryRetentionTests
{
    private static readonly string[] Periods = ["month:2024-10", "week:2024-W41", "range:2024-10-01..2024-10-21", "day:2024-10-05", "last_30_days"];

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Deleting_raw_polls_leaves_period_answers_unchanged_and_an_hours_change_recomputes_only_the_dates_with_polls(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 10, 23, 0, 0, 0, TimeSpan.Zero));
        await using var app = new StoreMonitoringApp(
            db.Settings(("StoreMonitoring:RateLimit:PermitLimit", "1000000"), ("StoreMonitoring:Retention:PollDays", "10")),
            services => services.AddSingleton<TimeProvider>(time));
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/r1/timezone", new { timezone_str = "America/New_York" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/r1/hours", Enumerable.Range(0, 7).Select(d => new { day = d, start_time_local = "08:00:00", end_time_local = "20:00:00" }))).StatusCode);
        // Hourly polls from 2024-10-01 to 2024-10-22, down every sixth.
        var start = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 1, 4, 10));
        var polls = Enumerable.Range(0, 21 * 24).Select(i => (At: start + i * UnixMicros.PerHour, Active: i % 6 != 0)).ToArray();
        foreach (var chunk in polls.Chunk(100))
        {
            var items = chunk.Select(p => new { store_id = "r1", status = p.Active ? "active" : "inactive", timestamp_utc = UnixMicros.Format(p.At) });
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", items)).StatusCode);
        }

        var now = UnixMicros.Format(polls[^1].At);
        async Task<List<string>> Answers()
        {
            var answers = new List<string>();
            foreach (var period in Periods)
            {
                answers.Add(await (await client.PostAsync($"/trigger_report?period={period}&now={now}", null)).Content.ReadAsStringAsync());
                answers.Add(await (await client.PostAsync($"/trigger_report?period={period}&now={now}&format=json&columns=extended", null)).Content.ReadAsStringAsync());
                answers.Add(await client.GetStringAsync($"/stores/r1?period={period}&now={now}"));
            }

            answers.Add(await client.GetStringAsync("/stores/r1/days?from=2024-09-25&to=2024-10-22"));
            return answers;
        }

        var before = await Answers();
        var result = await app.Services.GetRequiredService<HistoryRetention>().CleanAsync();
        Assert.True(result.Polls > 0);
        Assert.Equal(1, result.Stores);
        Assert.Equal(0, result.Rollups);
        await using (var connection = await app.Services.GetRequiredService<StoreDatabase>().OpenAsync())
        {
            var oldest = await connection.ExecuteScalarAsync<long>("SELECT MIN(observed_at_us) FROM store_status");
            Assert.True(oldest >= UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 13, 0, 0)));
        }

        Assert.Equal(before, await Answers());

        // New hours: the dates whose polls are gone keep their figures, the rest follow the hours.
        var days = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/stores/r1/days?from=2024-10-01&to=2024-10-22");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/r1/hours", Enumerable.Range(0, 7).Select(d => new { day = d, start_time_local = "10:00:00", end_time_local = "14:00:00" }))).StatusCode);
        var after = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/stores/r1/days?from=2024-10-01&to=2024-10-22");
        var old = days.GetProperty("days").EnumerateArray().ToArray();
        var fresh = after.GetProperty("days").EnumerateArray().ToArray();
        for (var i = 0; i < old.Length; i++)
        {
            var date = old[i].GetProperty("date").GetString()!;
            if (string.CompareOrdinal(date, "2024-10-12") <= 0)
            {
                Assert.Equal(old[i].ToString(), fresh[i].ToString());
            }
            else if (string.CompareOrdinal(date, "2024-10-15") >= 0)
            {
                Assert.Equal(4, fresh[i].GetProperty("business_hours").GetDouble());
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task RollupDays_deletes_only_rows_of_older_dates(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 10, 23, 0, 0, 0, TimeSpan.Zero));
        await using var app = new StoreMonitoringApp(
            db.Settings(("StoreMonitoring:RateLimit:PermitLimit", "1000000"), ("StoreMonitoring:Retention:RollupDays", "20")),
            services => services.AddSingleton<TimeProvider>(time));
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/r2/timezone", new { timezone_str = "UTC" })).StatusCode);
        var start = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 1, 0, 30));
        var items = Enumerable.Range(0, 10 * 24).Select(i => new { store_id = "r2", status = "active", timestamp_utc = UnixMicros.Format(start + i * UnixMicros.PerHour) });
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", items)).StatusCode);

        var result = await app.Services.GetRequiredService<HistoryRetention>().CleanAsync();
        Assert.Equal(0, result.Polls);
        await using var connection = await app.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        var dates = (await connection.QueryAsync<int>("SELECT local_date FROM store_days ORDER BY local_date")).ToList();
        // 20 days before 2024-10-23 is 2024-10-03: the dates before it (09-30, which the first poll's cover reaches, 10-01, 10-02) are gone, the rest stay.
        Assert.Equal(3, result.Rollups);
        Assert.Equal(20241003, dates[0]);
        Assert.Contains(20241010, dates);
    }

    [Theory]
    [InlineData("3", null, "PollDays must be 0")]
    [InlineData("-1", null, "Retention.PollDays must be between")]
    [InlineData("30", "10", "RollupDays (10) must be 0")]
    [InlineData(null, "40000", "Retention.RollupDays must be between")]
    public async Task Bad_retention_settings_stop_the_start_with_the_key_named(string? pollDays, string? rollupDays, string message)
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => db.StartLibraryAsync(
            ("StoreMonitoring:Retention:PollDays", pollDays), ("StoreMonitoring:Retention:RollupDays", rollupDays)));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
