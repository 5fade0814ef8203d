using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Ui;

/// <summary>
/// The dashboard at real scale (3,678 stores, 21 days): time from navigation to a drawn page and
/// bytes transferred, for the overview and a store page. A measurement, not an assertion: it runs
/// only from <c>bench/ui.sh</c> (<c>STOREMON_UI_BENCH=1</c>) and writes a markdown table.
/// </summary>
public sealed class DashboardBenchmark
{
    [Fact]
    public async Task Measure_the_overview_and_a_store_page_at_real_scale()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("STOREMON_UI_BENCH") == "1", "Run by bench/ui.sh (STOREMON_UI_BENCH=1).");
        var stores = int.Parse(Environment.GetEnvironmentVariable("STOREMON_UI_BENCH_STORES") ?? "3678", CultureInfo.InvariantCulture);
        var engine = Environment.GetEnvironmentVariable("STOREMON_UI_BENCH_ENGINE") == "mariadb" ? Engine.MariaDb : Engine.Sqlite;
        var setup = Stopwatch.StartNew();
        await using var host = await UiHost.StartAsync(engine, stores: stores, days: 21);
        var setupSeconds = setup.Elapsed.TotalSeconds;
        var storeId = (await host.JsonAsync("/incidents?limit=1")).GetProperty("incidents")[0].GetProperty("store_id").GetString();

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Engine {engine}, {stores} stores, 21 days (set-up: generate, import, report in {setupSeconds:F0} s). Each page loaded 5 times in a fresh browser context; first load, then median of the other 4.");
        table.AppendLine();
        table.AppendLine("| Page | Ready, first load (ms) | Ready, median (ms) | Requests | Transferred (KB) |");
        table.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (name, route) in new[] { ("overview", "/overview"), ("store", $"/stores/{storeId}") })
        {
            var times = new List<double>();
            var (requests, bytes) = (0, 0L);
            for (var run = 0; run < 5; run++)
            {
                var (page, errors) = await host.OpenAsync();
                var finished = new List<IRequest>();
                page.RequestFinished += (_, request) => finished.Add(request);
                try
                {
                    await UiHost.GoAsync(page, route);
                }
                catch (TimeoutException)
                {
                    await UiHost.ScreenshotAsync(page, $"bench-{name}-timeout");
                    var pending = string.Join(", ", finished.Select(r => r.Url));
                    Assert.Fail($"{route} not ready: {await page.InnerTextAsync("main")} / errors: {string.Join(" | ", errors)} / finished: {pending}");
                }

                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                times.Add(await page.EvaluateAsync<double>($"() => performance.getEntriesByName('ready:{name}')[0].startTime"));
                (requests, bytes) = (finished.Count, 0);
                foreach (var request in finished)
                {
                    var sizes = await request.SizesAsync();
                    bytes += sizes.ResponseBodySize + sizes.ResponseHeadersSize;
                }

                Assert.True(errors.Count == 0, string.Join('\n', errors));
                await UiHost.ScreenshotAsync(page, $"bench-{name}");
                await page.Context.CloseAsync();
            }

            var rest = times.Skip(1).Order().ToList();
            table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {times[0]:F0} | {(rest[1] + rest[2]) / 2:F0} | {requests} | {bytes / 1024.0:F1} |");
        }

        var output = Environment.GetEnvironmentVariable("STOREMON_UI_BENCH_OUT") ?? Path.Combine(AppContext.BaseDirectory, "ui-bench.md");
        await File.WriteAllTextAsync(output, table.ToString());
    }
}
