using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Ui;

/// <summary>The dashboard in Debian's Chromium against the real service on generated data (60 stores, 8 days).</summary>
public sealed class DashboardTests
{
    private static readonly string[] States = ["up", "down", "unknown", "closed"];
    private static readonly string[] Fields = ["uptime", "downtime", "unknown", "business", "estimated_uptime", "estimated_downtime", "polls"];

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_overview_shows_the_APIs_counts_histograms_and_most_downtime_without_console_errors(Engine engine)
    {
        await using var host = await UiHost.StartAsync(engine);
        var (page, errors) = await host.OpenAsync();
        await UiHost.GoAsync(page, "/overview");
        await UiHost.ScreenshotAsync(page, $"overview-{engine}");

        async Task<int> Total(string status) => (await host.JsonAsync($"/stores?limit=1{status}")).GetProperty("total").GetInt32();
        var total = await Total("");
        Assert.True(total >= 60, $"{total} stores");
        Assert.Equal(total.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-figure=total]"));
        Assert.Equal((total - await Total("&status=closed")).ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-figure=open]"));
        Assert.Equal((await Total("&status=down")).ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-figure=down]"));
        Assert.Equal((await Total("&status=unknown")).ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-figure=unknown]"));

        // The histograms and the top 20, recomputed here from the whole JSON report.
        var reportId = (await host.JsonAsync("/reports")).EnumerateArray().First(r => r.GetProperty("status").GetString() == "Complete").GetProperty("report_id").GetString();
        var rows = (await host.JsonAsync($"/get_report?report_id={reportId}&format=json")).GetProperty("stores").EnumerateArray().ToList();
        foreach (var (window, chart) in new[] { ("last_day", "#hist-day"), ("last_week", "#hist-week") })
        {
            var expected = new int[10];
            foreach (var w in rows.Select(r => r.GetProperty(window)).Where(w => w.GetProperty("business").GetDouble() > 0))
            {
                expected[Math.Clamp((int)Math.Floor(w.GetProperty("estimated_uptime").GetDouble() / w.GetProperty("business").GetDouble() * 10), 0, 9)]++;
            }

            var shown = await page.Locator($"{chart} rect[data-count]").EvaluateAllAsync<int[]>("rects => rects.map(r => Number(r.dataset.count))");
            Assert.Equal(expected, shown);
        }

        var top = rows.OrderByDescending(r => r.GetProperty("last_week").GetProperty("estimated_downtime").GetDouble())
            .ThenBy(r => r.GetProperty("store_id").GetString(), StringComparer.Ordinal).Take(20).Select(r => r.GetProperty("store_id").GetString()).ToArray();
        Assert.Equal(top, await page.Locator("#most-downtime tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.store)"));

        var open = (await host.JsonAsync("/incidents?open=true&limit=20")).GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("incident_id").GetString()).ToArray();
        Assert.Equal(open, await page.Locator("#open-incidents-table tbody tr[data-incident]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.incident)"));

        var debug = await host.JsonAsync("/debug_data");
        Assert.Equal(
            debug.GetProperty("last_import").GetProperty("files").EnumerateArray().Select(f => f.GetProperty("rejected").GetInt64().ToString(CultureInfo.InvariantCulture)).ToArray(),
            await page.Locator("[data-rejected]").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.rejected)"));
        Assert.Equal(debug.GetProperty("rejected_rows").GetArrayLength(), await page.Locator("tr.rejected").CountAsync());

        await UiHost.ScreenshotAsync(page, $"overview-{engine}");
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_store_page_shows_its_figures_hours_and_the_timelines_intervals_one_bar_per_local_day(Engine engine)
    {
        await using var host = await UiHost.StartAsync(engine, report: false);
        var (page, errors) = await host.OpenAsync();
        // The store with most polls marked inactive makes the most varied timeline.
        var stores = (await host.JsonAsync("/stores?limit=1000")).GetProperty("stores").EnumerateArray().Select(s => s.GetProperty("store_id").GetString()!).ToList();
        var incidents = (await host.JsonAsync("/incidents?limit=500")).GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("store_id").GetString()!).ToList();
        var storeId = incidents.Count > 0 ? incidents.GroupBy(i => i).OrderByDescending(g => g.Count()).First().Key : stores[0];
        await UiHost.GoAsync(page, $"/stores/{storeId}");

        var detail = await host.JsonAsync($"/stores/{storeId}");
        Assert.Equal(detail.GetProperty("timezone").GetString(), await page.InnerTextAsync("[data-fact=timezone]"));
        foreach (var window in new[] { "last_hour", "last_day", "last_week" })
        {
            foreach (var field in Fields)
            {
                var shown = await page.GetAttributeAsync($"#figures tr[data-window={window}] td[data-field={field}]", "data-value");
                Assert.Equal(detail.GetProperty(window).GetProperty(field).GetDouble(), double.Parse(shown!, CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal(Math.Max(1, detail.GetProperty("business_hours").GetArrayLength()), await page.Locator("#hours li").CountAsync() is var n && n == 0 ? 1 : n);

        // Each interval the endpoint returns is drawn (split at local midnights), with its state, and nothing else is.
        var drawn = await page.Locator("#timeline rect[data-interval]").EvaluateAllAsync<string[][]>(
            "rects => rects.map(r => [r.dataset.interval, r.dataset.state, r.dataset.start, r.dataset.end])");
        var segments = drawn.Select(d => (Index: int.Parse(d[0], CultureInfo.InvariantCulture), State: d[1], Start: d[2], End: d[3])).Distinct().OrderBy(d => d.Index).ToList();
        var timeline = await host.JsonAsync($"/stores/{storeId}/timeline?from={segments[0].Start}&to={segments[^1].End}");
        var intervals = timeline.GetProperty("intervals").EnumerateArray()
            .Select((i, index) => (Index: index, State: i.GetProperty("state").GetString()!, Start: i.GetProperty("start").GetString()!, End: i.GetProperty("end").GetString()!)).ToList();
        Assert.Equal(intervals, segments);
        foreach (var state in States)
        {
            Assert.Equal(intervals.Count(i => i.State == state), segments.Count(s => s.State == state));
        }

        Assert.Contains(intervals, i => i.State == "up");
        Assert.Equal(timeline.GetProperty("polls").GetArrayLength(), await page.Locator("#timeline line[data-poll]").CountAsync());
        var days = await page.Locator("#timeline g[data-day]").CountAsync();
        Assert.InRange(days, 7, 8); // seven 24-hour spans touch seven or eight local days
        var title = await page.Locator("#timeline rect[data-state] title").First.TextContentAsync();
        Assert.Contains("local", title, StringComparison.Ordinal);
        Assert.Contains("evidence", title, StringComparison.Ordinal);

        var storeIncidents = (await host.JsonAsync($"/stores/{storeId}/incidents?limit=20")).GetProperty("incidents").GetArrayLength();
        Assert.Equal(storeIncidents, await page.Locator("#store-incidents tbody tr[data-incident]").CountAsync());
        await UiHost.ScreenshotAsync(page, $"store-{engine}");
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_incident_filter_asks_the_API_and_shows_what_it_answers(Engine engine)
    {
        await using var host = await UiHost.StartAsync(engine, report: false);
        var (page, errors) = await host.OpenAsync();
        await UiHost.GoAsync(page, "/incidents");
        var all = (await host.JsonAsync("/incidents?limit=50")).GetProperty("incidents").GetArrayLength();
        Assert.Equal(all, await page.Locator("#incident-table tbody tr[data-incident]").CountAsync());

        await page.SelectOptionAsync("#f-open", "false");
        await page.FillAsync("#f-min", "30");
        await page.ClickAsync("#incident-filter button[type=submit]");
        await page.WaitForFunctionAsync("() => location.hash.includes('min_minutes=30')");
        await UiHost.ReadyAsync(page);
        var filtered = (await host.JsonAsync("/incidents?open=false&min_minutes=30&limit=50")).GetProperty("incidents").EnumerateArray()
            .Select(i => i.GetProperty("incident_id").GetString()).ToArray();
        Assert.Equal(filtered, await page.Locator("#incident-table tbody tr[data-incident]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.incident)"));
        Assert.All(await page.Locator("#incident-table tbody tr[data-minutes]").EvaluateAllAsync<double[]>("rows => rows.map(r => Number(r.dataset.minutes))"), m => Assert.True(m >= 30));
        await UiHost.ScreenshotAsync(page, $"incidents-{engine}");
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Triggering_a_report_shows_its_progress_then_the_downloads(Engine engine)
    {
        // The page's service runs no worker, so the report visibly waits; a second instance on the
        // same database then computes it, as in a deployment with several.
        await using var host = await UiHost.StartAsync(engine, report: false, worker: false);
        var (page, errors) = await host.OpenAsync();
        await UiHost.GoAsync(page, "/reports");
        await page.SelectOptionAsync("#t-method", "ratio");
        await page.ClickAsync("#trigger button[type=submit]");
        var row = page.Locator("#report-table tbody tr[data-report]").First;
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "Pending");
        Assert.Equal("0", await row.Locator("progress").GetAttributeAsync("value"));
        Assert.Equal("pending (latest poll)", await row.Locator("td[data-col=now]").InnerTextAsync());
        var reportId = await row.GetAttributeAsync("data-report");
        Assert.Contains(reportId!, await page.InnerTextAsync("#trigger-status"), StringComparison.Ordinal);
        await UiHost.ScreenshotAsync(page, $"reports-pending-{engine}");

        await using var worker = new StoreMonitoringApp(host.Database.Settings());
        worker.CreateClient().Dispose(); // starts the second instance and its worker
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "Complete", new() { Timeout = 60_000 });
        Assert.Equal("1", await row.Locator("progress").GetAttributeAsync("value"));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", await row.Locator("td[data-col=now]").InnerTextAsync());
        var download = await page.RunAndWaitForDownloadAsync(() => row.Locator("a[data-format=json]").ClickAsync());
        var json = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)).RootElement;
        Assert.Equal(reportId, json.GetProperty("report_id").GetString());
        var stores = (await host.JsonAsync($"/get_report?report_id={reportId}&format=json")).GetProperty("stores").GetArrayLength();
        Assert.True(stores >= 60, $"{stores} stores");
        Assert.Equal(stores, json.GetProperty("stores").GetArrayLength());
        var csv = await page.RunAndWaitForDownloadAsync(() => row.Locator("a[data-format=csv]").ClickAsync());
        Assert.Equal(stores + 1, (await File.ReadAllLinesAsync((await csv.PathAsync())!)).Length);
        await UiHost.ScreenshotAsync(page, $"reports-{engine}");
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_Tab_key_reaches_every_control_on_every_page(Engine engine)
    {
        await using var host = await UiHost.StartAsync(engine);
        var (page, errors) = await host.OpenAsync();
        var storeId = (await host.JsonAsync("/stores?limit=1")).GetProperty("stores")[0].GetProperty("store_id").GetString();
        foreach (var route in new[] { "/overview", $"/stores/{storeId}", "/incidents", "/reports", "/webhooks" })
        {
            await UiHost.GoAsync(page, route);
            var controls = await page.EvaluateAsync<int>("""
                () => {
                  const all = [...document.querySelectorAll('a[href], button, input, select, textarea')].filter(e => !e.closest('dialog') && e.getClientRects().length > 0);
                  all.forEach((e, i) => e.dataset.kb = i);
                  return all.length;
                }
                """);
            Assert.True(controls > 5, $"{route} has only {controls} controls");
            await page.EvaluateAsync("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }");
            var reached = new HashSet<string>();
            for (var i = 0; i < controls + 10 && reached.Count < controls; i++)
            {
                await page.Keyboard.PressAsync("Tab");
                var index = await page.EvaluateAsync<string?>("() => document.activeElement?.dataset.kb ?? null");
                if (index is not null)
                {
                    reached.Add(index);
                }
            }

            Assert.Equal(controls, reached.Count);
        }

        // The skip link is the first stop and moves focus to the content.
        await page.ReloadAsync();
        await UiHost.ReadyAsync(page);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task With_keys_the_page_asks_once_keeps_the_key_for_the_session_and_sends_it_as_bearer(Engine engine)
    {
        var keys = new ApiKeys();
        await using var host = await UiHost.StartAsync(engine, settings: keys.Settings, bearer: keys.Write);
        var (page, errors) = await host.OpenAsync();
        var authorizations = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.Contains("/ui/", StringComparison.Ordinal) || request.Url.Contains("/ui/api/", StringComparison.Ordinal))
            {
                authorizations.Add(request.Headers.GetValueOrDefault("authorization") ?? "");
            }
        };

        await page.GotoAsync("/ui/index.html#/overview");
        await Assertions.Expect(page.Locator("#key-dialog")).ToBeVisibleAsync();
        await page.FillAsync("#key-input", keys.Read);
        await page.Keyboard.PressAsync("Enter");
        await UiHost.ReadyAsync(page);
        Assert.Equal((await host.JsonAsync("/stores?limit=1")).GetProperty("total").GetInt32().ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-figure=total]"));
        Assert.Equal(keys.Read, await page.EvaluateAsync<string>("() => sessionStorage.getItem('storemon.key')"));
        Assert.Contains($"Bearer {keys.Read}", authorizations);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), _ => true);

        // Another page in the same session needs no second prompt.
        authorizations.Clear();
        await UiHost.GoAsync(page, "/reports");
        Assert.False(await page.Locator("#key-dialog").IsVisibleAsync());
        Assert.All(authorizations, a => Assert.Equal($"Bearer {keys.Read}", a));

        // A read key cannot trigger a report: the page says why.
        await page.ClickAsync("#trigger button[type=submit]");
        await Assertions.Expect(page.Locator("#trigger-status .error")).ToBeVisibleAsync();

        // The only console errors are the browser's notes on the refused requests.
        Assert.All(errors, e => Assert.Matches("40[13]", e));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_webhooks_page_lists_subscriptions_and_a_test_delivery(Engine engine)
    {
        await using var host = await UiHost.StartAsync(engine, report: false, settings:
            [("StoreMonitoring:Webhooks:AllowPrivateNetworks", "true"), ("StoreMonitoring:Webhooks:RunWorker", "false")]);
        var created = await host.Client.PostAsJsonAsync("/webhooks", new { url = "http://127.0.0.1:18699/hook", events = new[] { "store.down" } });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var id = (await created.JsonAsync()).GetProperty("webhook_id").GetString();
        Assert.True((await host.Client.PostAsync($"/webhooks/{id}/test", null)).IsSuccessStatusCode);

        var (page, errors) = await host.OpenAsync();
        await UiHost.GoAsync(page, "/webhooks");
        Assert.Equal([id], await page.Locator("#webhook-table tbody tr[data-webhook]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.webhook)"));
        var deliveries = (await host.JsonAsync($"/webhooks/{id}/deliveries")).GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("delivery_id").GetString()).ToArray();
        Assert.NotEmpty(deliveries);
        Assert.Equal(deliveries, await page.Locator("#delivery-table tbody tr[data-delivery]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.delivery)"));
        await UiHost.ScreenshotAsync(page, $"webhooks-{engine}");
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public async Task The_root_still_answers_the_JSON_welcome_and_the_dashboard_has_its_own_policy()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var root = await client.GetAsync("/");
        Assert.Equal("application/json", root.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Welcome to Store Monitoring API", (await root.JsonAsync()).GetProperty("message").GetString());

        var ui = await client.GetAsync("/ui");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, ui.StatusCode);
        var index = await client.GetAsync(ui.Headers.Location);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", index.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
