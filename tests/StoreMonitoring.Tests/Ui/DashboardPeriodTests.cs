using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Ui;

/// <summary>The store page's 90 daily bars and the fleet month view, in Debian's Chromium against the real service.</summary>
public sealed class DashboardPeriodTests
{
    private static readonly string[] Figures = ["business_hours", "uptime_hours", "downtime_hours", "unknown_hours", "availability_pct"];

    /// <summary>A row's availability; the JSON leaves it out where there is none.</summary>
    private static double? Pct(JsonElement row) =>
        row.TryGetProperty("availability_pct", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_store_page_draws_its_90_dates_from_one_request_closed_and_unknown_dates_apart(Engine engine)
    {
        await using var host = await UiHost.StartAsync(engine, report: false);
        // A store with closed dates (hours on some weekdays only): 90 dates reach back before the
        // 8 days of polls, so the older open dates are unknown.
        var stores = (await host.JsonAsync("/stores?limit=1000")).GetProperty("stores").EnumerateArray().Select(s => s.GetProperty("store_id").GetString()!).ToList();
        string? storeId = null;
        JsonElement days = default;
        foreach (var id in stores)
        {
            days = await host.JsonAsync($"/stores/{id}/days");
            var rows = days.GetProperty("days").EnumerateArray().ToList();
            if (rows.Any(d => d.GetProperty("closed").GetBoolean()) && rows.Any(d => !d.GetProperty("closed").GetBoolean() && Pct(d) is null)
                && rows.Any(d => Pct(d) is not null))
            {
                storeId = id;
                break;
            }
        }

        Assert.NotNull(storeId);
        var (page, errors) = await host.OpenAsync();
        var dayRequests = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/stores/", StringComparison.Ordinal) && request.Url.Contains("/days", StringComparison.Ordinal))
            {
                dayRequests.Add(request.Url);
            }
        };
        await UiHost.GoAsync(page, $"/stores/{storeId}");
        Assert.Single(dayRequests);

        var expected = days.GetProperty("days").EnumerateArray().Select(d => (
            Date: d.GetProperty("date").GetString()!,
            Kind: d.GetProperty("closed").GetBoolean() ? "closed" : Pct(d) is null ? "unknown" : "known",
            Availability: Pct(d) is { } p ? p.ToString(CultureInfo.InvariantCulture) : "")).ToList();
        Assert.Equal(90, expected.Count);
        var drawn = (await page.Locator("#days rect[data-date]").EvaluateAllAsync<string[][]>("rects => rects.map(r => [r.dataset.date, r.dataset.kind, r.dataset.availability])"))
            .Select(d => (Date: d[0], Kind: d[1] is "closed" or "unknown" ? d[1] : "known", Availability: d[2])).ToList();
        Assert.Equal(expected, drawn);

        // Closed, unknown and a known date look different (fill, stroke or opacity), and each bar has a title and a line of text.
        async Task<string> Look(string kind) => await page.Locator($"#days rect[data-kind={kind}]").First.EvaluateAsync<string>(
            "r => { const c = getComputedStyle(r); return [c.fill, c.stroke, c.opacity, c.strokeDasharray].join('|'); }");
        var known = (await page.Locator("#days rect[data-kind]").EvaluateAllAsync<string[]>("rects => rects.map(r => r.dataset.kind)")).First(k => k is not "closed" and not "unknown");
        Assert.Equal(3, new[] { await Look("closed"), await Look("unknown"), await Look(known) }.Distinct().Count());
        var first = expected.First(e => e.Kind == "known");
        var title = await page.Locator($"#days rect[data-date='{first.Date}'] title").TextContentAsync();
        Assert.Contains(first.Date, title, StringComparison.Ordinal);
        Assert.Contains("% available", title, StringComparison.Ordinal);
        Assert.Contains("up ", title, StringComparison.Ordinal);
        Assert.Contains("closed", await page.Locator($"#days rect[data-date='{expected.First(e => e.Kind == "closed").Date}'] title").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(90, await page.Locator("#days-text li").CountAsync());
        Assert.Equal("days-caption", await page.GetAttributeAsync("#days", "aria-labelledby"));
        await UiHost.ScreenshotAsync(page, $"store-days-{engine}");
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_month_view_shows_the_period_reports_figures_with_a_read_key_and_its_CSV_is_the_reports(Engine engine)
    {
        var keys = new ApiKeys();
        await using var host = await UiHost.StartAsync(engine, report: false, settings: keys.Settings, bearer: keys.Write);
        using var reader = new HttpClient { BaseAddress = new Uri(host.Address) };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keys.Read);

        // The endpoint: a read key is enough, a bad month is a 400 naming month, no key a 401.
        var json = await (await reader.GetAsync("/ui/api/month")).JsonAsync();
        var month = json.GetProperty("period").GetString()!["month:".Length..];
        Assert.Matches(@"^\d{4}-\d\d$", month);
        foreach (var bad in new[] { "2024-13", "2024-1", "oct", "2024-10-01" })
        {
            var response = await reader.GetAsync($"/ui/api/month?month={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("month", out _), bad);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await reader.GetAsync($"/ui/api/month?month={month}&format=xml")).StatusCode);
        using (var anonymous = new HttpClient { BaseAddress = new Uri(host.Address) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/ui/api/month?month={month}")).StatusCode);
        }

        var report = await host.Client.PostAsync($"/trigger_report?period=month:{month}", null);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var reportCsv = await report.Content.ReadAsStringAsync();
        Assert.Equal(reportCsv, await reader.GetStringAsync($"/ui/api/month?month={month}&format=csv"));

        var (page, errors) = await host.OpenAsync();
        await page.AddInitScriptAsync($"sessionStorage.setItem('storemon.key', '{keys.Read}')");
        await UiHost.GoAsync(page, "/month");
        Assert.Equal(month, await page.InputValueAsync("#m-month"));
        var stores = json.GetProperty("stores").EnumerateArray().ToList();
        Assert.Equal(stores.Select(s => s.GetProperty("store_id").GetString()).ToArray(),
            await page.Locator("#month-table tbody tr[data-store]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.store)"));
        var store = stores.First(s => Pct(s) is not null);
        var row = page.Locator($"#month-table tbody tr[data-store='{store.GetProperty("store_id").GetString()}']");
        foreach (var field in Figures)
        {
            Assert.Equal(store.GetProperty(field).GetDouble(), double.Parse((await row.Locator($"td[data-field={field}]").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture));
        }

        // Sorted by availability, lowest first, stores without any last.
        await page.ClickAsync("#sort-availability");
        await page.WaitForFunctionAsync("() => location.hash.includes('sort=asc')");
        await UiHost.ReadyAsync(page);
        var shown = await page.Locator("#month-table tbody td[data-field=availability_pct]").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.value)");
        var known = shown.TakeWhile(v => v.Length > 0).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(known.Order().ToList(), known);
        Assert.All(shown.Skip(known.Count), v => Assert.Equal("", v));

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#month-csv"));
        Assert.Equal($"report_month_{month}.csv", download.SuggestedFilename);
        Assert.Equal(reportCsv, await File.ReadAllTextAsync((await download.PathAsync())!));
        await UiHost.ScreenshotAsync(page, $"month-{engine}");
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }
}
