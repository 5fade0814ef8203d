using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Reports.Rollups;
using StoreMonitoring.Stores;
using StoreMonitoring.Tests.Infrastructure;
using Period = StoreMonitoring.Reports.Rollups.Period;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports;

public sealed class PeriodTests
{
    [Theory]
    [InlineData("day:2024-10-13", "2024-10-13", "2024-10-13")]
    [InlineData("week:2024-W41", "2024-10-07", "2024-10-13")]
    [InlineData("week:2020-W53", "2020-12-28", "2021-01-03")]
    [InlineData("month:2024-02", "2024-02-01", "2024-02-29")]
    [InlineData("quarter:2024-Q4", "2024-10-01", "2024-12-31")]
    [InlineData("range:2024-10-01..2024-10-15", "2024-10-01", "2024-10-15")]
    [InlineData(" MONTH:2024-10 ", "2024-10-01", "2024-10-31")]
    public void A_fixed_period_is_its_dates(string text, string from, string to)
    {
        Assert.True(Period.TryParse(text, out var period, out var problem), problem);
        var (f, t) = period.Resolve(DateTimeZoneProviders.Tzdb["Asia/Kolkata"], 0);
        Assert.Equal((from, to), (f.ToString("yyyy-MM-dd", null), t.ToString("yyyy-MM-dd", null)));
    }

    [Fact]
    public void A_rolling_period_ends_on_the_date_of_now_in_each_zone()
    {
        Assert.True(Period.TryParse("last_7_days", out var period, out _));
        // 2024-10-14 03:00 UTC: already the 14th in Kolkata, still the 13th in Chicago.
        var now = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 14, 3, 0));
        Assert.Equal((new LocalDate(2024, 10, 8), new LocalDate(2024, 10, 14)), period.Resolve(DateTimeZoneProviders.Tzdb["Asia/Kolkata"], now));
        Assert.Equal((new LocalDate(2024, 10, 7), new LocalDate(2024, 10, 13)), period.Resolve(DateTimeZoneProviders.Tzdb["America/Chicago"], now));
        Assert.True(Period.TryParse("last_30_days", out var month, out _));
        Assert.Equal(new LocalDate(2024, 9, 15), month.Resolve(DateTimeZoneProviders.Tzdb["Asia/Kolkata"], now).From);
    }

    [Theory]
    [InlineData("")]
    [InlineData("day:2024-13-01")]
    [InlineData("day:2024-02-30")]
    [InlineData("day:24-10-01")]
    [InlineData("week:2024-W53")]
    [InlineData("week:2024-W00")]
    [InlineData("month:2024-13")]
    [InlineData("quarter:2024-Q5")]
    [InlineData("range:2024-10-15..2024-10-01")]
    [InlineData("range:2020-01-01..2024-01-01")]
    [InlineData("range:2024-10-01")]
    [InlineData("year:2024")]
    [InlineData("last_8_days")]
    public void A_bad_period_is_refused_with_a_reason_naming_it(string text)
    {
        Assert.False(Period.TryParse(text, out _, out var problem));
        Assert.Contains(text.Length == 0 ? "period is empty" : $"'{text.Trim().ToLowerInvariant()}'", problem);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_period_report_sums_the_rollups_to_the_raw_computation(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:RateLimit:PermitLimit", "1000000")));
        var client = app.CreateClient();
        var settings = app.Services.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value.Estimation;
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/p1/timezone", new { timezone_str = zone.Id })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/stores/p1/hours", Enumerable.Range(0, 7).Select(d => new { day = d, start_time_local = "09:00:00", end_time_local = "21:00:00" }))).StatusCode);
        // Hourly polls from 2024-10-20 to 2024-11-05 (across the end of daylight saving time), down every fifth.
        var start = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 20, 0, 7));
        var polls = Enumerable.Range(0, 16 * 24).Select(i => new Poll(start + i * UnixMicros.PerHour, i % 5 != 0)).ToArray();
        foreach (var chunk in polls.Chunk(50))
        {
            var items = chunk.Select(p => new { store_id = "p1", status = p.Active ? "active" : "inactive", timestamp_utc = UnixMicros.Format(p.At) });
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", items)).StatusCode);
        }

        var now = UnixMicros.Format(polls[^1].At);
        var response = await client.PostAsync($"/trigger_report?period=week:2024-W44&now={now}&format=json", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var row = json.RootElement.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Array).Value[0];

        var store = new StoreProfile(0, "p1", zone, new WeeklySchedule(Enumerable.Range(0, 7).Select(d => new OpeningWindow(d, new LocalTime(9, 0), new LocalTime(21, 0))).ToArray()));
        var raw = DayRollups.Period(polls, store, settings, IncidentFinder.Find(polls, store, settings).ToArray(), new LocalDate(2024, 10, 28), new LocalDate(2024, 11, 3));
        // Seven days of twelve hours.
        Assert.Equal(84 * UnixMicros.PerHour, raw.Business);
        var text = row.ToString();
        Assert.Contains("2024-10-28", text);
        Assert.Contains("2024-11-03", text);
        Assert.Contains(WindowValue(raw.Up), text);
        Assert.Contains(WindowValue(raw.Down), text);
        Assert.Contains($":{raw.Incidents},", text.Replace(" ", ""));

        var csv = await (await client.PostAsync($"/trigger_report?period=month:2024-10&now={now}", null)).Content.ReadAsStringAsync();
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(PeriodCsv.Header, lines[0]);
        var october = DayRollups.Period(polls, store, settings, IncidentFinder.Find(polls, store, settings).ToArray(), new LocalDate(2024, 10, 1), new LocalDate(2024, 10, 31));
        Assert.StartsWith($"p1,2024-10-01,2024-10-31,{Hours(october.Business)},{Hours(october.Up)},", lines[1]);
        Assert.EndsWith(",false", lines[1]);

        // The partial current date: November is cut at the date of now, and says so.
        var november = await (await client.PostAsync($"/trigger_report?period=month:2024-11&now={now}", null)).Content.ReadAsStringAsync();
        Assert.StartsWith("p1,2024-11-01,2024-11-04,", november.Split('\n')[1]);
        Assert.EndsWith(",true", november.Split('\n')[1]);

        var bad = await client.PostAsync("/trigger_report?period=month:2024-13", null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("month:2024-13", await bad.Content.ReadAsStringAsync());
    }

    private static string Hours(long micros) => StoreMonitoring.Reports.WindowFigures.Format(StoreMonitoring.Reports.WindowFigures.Hundredths(micros, UnixMicros.PerHour));

    private static string WindowValue(long micros) => StoreMonitoring.Reports.WindowFigures.ToNumber(StoreMonitoring.Reports.WindowFigures.Hundredths(micros, UnixMicros.PerHour)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
