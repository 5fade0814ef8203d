using System.Net;
using System.Text.Json;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Live;

/// <summary>The store page and the timeline against the JSON report: the same figures, whichever way they are asked for.</summary>
public sealed class LiveFigureTests
{
    private static readonly string[] Windows = ["last_hour", "last_day", "last_week"];
    private static readonly string[] Fields = ["uptime", "downtime", "unknown", "business", "estimated_uptime", "estimated_downtime", "polls"];

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_store_page_equals_its_row_of_the_json_report_field_for_field(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 12, seed: 5);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);

        foreach (var (method, now) in new[] { ("interpolated", "2024-10-14T20:30:00Z"), ("ratio", "2024-10-13T09:15:00Z"), ("interpolated", "") })
        {
            var query = $"?method={method}" + (now.Length > 0 ? $"&now={now}" : "");
            var id = await client.TriggerAsync(query);
            var report = await (await client.WaitForReportAsync(id, "&format=json")).JsonAsync();
            var compared = 0;
            foreach (var row in report.GetProperty("stores").EnumerateArray())
            {
                var storeId = row.GetProperty("store_id").GetString()!;
                var page = await (await client.GetAsync($"/stores/{storeId}{query}")).JsonAsync();
                Assert.Equal(report.GetProperty("now").GetString(), page.GetProperty("now").GetString());
                foreach (var window in Windows)
                {
                    foreach (var field in Fields)
                    {
                        Assert.Equal(row.GetProperty(window).GetProperty(field).GetDouble(), page.GetProperty(window).GetProperty(field).GetDouble());
                    }
                }

                compared++;
            }

            Assert.Equal(12, compared);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_timeline_of_each_window_adds_up_to_the_json_report(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 8, seed: 9);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);
        const string now = "2024-10-14T21:47:13.250000Z";
        var nowUs = UnixMicros.FromDateTimeOffset(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));
        var report = await (await client.WaitForReportAsync(await client.TriggerAsync($"?now={now}"), "&format=json")).JsonAsync();

        foreach (var row in report.GetProperty("stores").EnumerateArray())
        {
            var storeId = row.GetProperty("store_id").GetString()!;
            var timeline = await (await client.GetAsync($"/stores/{storeId}/timeline?from={UnixMicros.Format(nowUs - 7 * UnixMicros.PerDay)}&to={now}")).JsonAsync();
            var intervals = timeline.GetProperty("intervals").EnumerateArray().Select(Interval).ToList();
            // Ordered and gap-free over [from, to).
            Assert.Equal(nowUs - 7 * UnixMicros.PerDay, intervals[0].Start);
            Assert.Equal(nowUs, intervals[^1].End);
            Assert.All(intervals.Zip(intervals.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));

            foreach (var (window, length, unit) in new[] { ("last_hour", UnixMicros.PerHour, UnixMicros.PerMinute), ("last_day", UnixMicros.PerDay, UnixMicros.PerHour), ("last_week", 7 * UnixMicros.PerDay, UnixMicros.PerHour) })
            {
                long Sum(string state) => intervals.Where(i => i.State == state).Sum(i => Math.Max(0, i.End - Math.Max(i.Start, nowUs - length)));
                var (up, down, unknown) = (Sum("up"), Sum("down"), Sum("unknown"));
                var figures = WindowFigures.From(new WindowUptime(up, down, unknown, up + down + unknown, 0, up), unit);
                var json = row.GetProperty(window);
                Assert.Equal(json.GetProperty("uptime").GetDouble(), WindowFigures.ToNumber(figures.Uptime));
                Assert.Equal(json.GetProperty("downtime").GetDouble(), WindowFigures.ToNumber(figures.Downtime));
                Assert.Equal(json.GetProperty("unknown").GetDouble(), WindowFigures.ToNumber(figures.Unknown));
                Assert.Equal(json.GetProperty("business").GetDouble(), WindowFigures.ToNumber(figures.Business));
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Store_list_pages_cover_every_store_once_and_filter_by_state(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 9, seed: 3);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);

        var seen = new List<(string Id, string State)>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync($"/stores?limit=4{(cursor is null ? "" : $"&cursor={cursor}")}")).JsonAsync();
            seen.AddRange(page.GetProperty("stores").EnumerateArray().Select(s => (s.GetProperty("store_id").GetString()!, s.GetProperty("state").GetString()!)));
            cursor = page.TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(9, seen.Count);
        Assert.Equal(seen.Select(s => s.Id).Order(StringComparer.Ordinal), seen.Select(s => s.Id));
        foreach (var state in seen.Select(s => s.State).Distinct())
        {
            var filtered = await (await client.GetAsync($"/stores?status={state}&limit=1000")).JsonAsync();
            Assert.Equal(seen.Where(s => s.State == state).Select(s => s.Id), filtered.GetProperty("stores").EnumerateArray().Select(s => s.GetProperty("store_id").GetString()));
        }

        // Each listed state is what the store's own page says.
        var first = seen[0];
        Assert.Equal(first.State, (await (await client.GetAsync($"/stores/{first.Id}")).JsonAsync()).GetProperty("state").GetString());
    }

    private static (long Start, long End, string State) Interval(JsonElement interval) =>
        (Parse(interval.GetProperty("start").GetString()!), Parse(interval.GetProperty("end").GetString()!), interval.GetProperty("state").GetString()!);

    private static long Parse(string text) => TimestampParser.TryParse(text, out var micros) ? micros : throw new FormatException(text);
}
