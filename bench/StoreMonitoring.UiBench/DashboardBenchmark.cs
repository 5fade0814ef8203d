using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Tests.Ui;

namespace StoreMonitoring.UiBench;

/// <summary>
/// The dashboard at real scale (3,678 stores, 21 days): time from navigation to a drawn page and
/// bytes transferred, for the overview and a store page. A measurement, not a test: run by
/// <c>bench/ui.sh</c>, it prints a markdown table on standard output.
/// </summary>
/// <remarks>
/// <c>STOREMON_UI_BENCH_STORES</c> (default 3678) and <c>STOREMON_UI_BENCH_ENGINE</c>
/// (<c>sqlite</c> or <c>mariadb</c>, which needs <c>STOREMON_TEST_MYSQL</c>) choose the run.
/// </remarks>
public static class DashboardBenchmark
{
    public static async Task<int> Main()
    {
        // WebApplicationFactory looks for MvcTestingAppManifest.json (where the service's content
        // root is) in the working directory, as under a test runner.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var stores = int.Parse(Environment.GetEnvironmentVariable("STOREMON_UI_BENCH_STORES") ?? "3678", CultureInfo.InvariantCulture);
        var engine = Environment.GetEnvironmentVariable("STOREMON_UI_BENCH_ENGINE") == "mariadb" ? Engine.MariaDb : Engine.Sqlite;
        if (engine == Engine.MariaDb && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestDatabase.MySqlVariable)))
        {
            await Console.Error.WriteLineAsync($"STOREMON_UI_BENCH_ENGINE=mariadb needs {TestDatabase.MySqlVariable} (a connection string).");
            return 2;
        }

        // Without it the host would skip (an exception meant for a test runner): say so plainly.
        if (!File.Exists(UiHost.Chromium))
        {
            await Console.Error.WriteLineAsync($"{UiHost.Chromium} is missing: install Debian's Chromium (`apt-get install -y chromium`).");
            return 2;
        }

        Console.Write(await MeasureAsync(engine, stores));
        return 0;
    }

    private static async Task<string> MeasureAsync(Engine engine, int stores)
    {
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
                    throw new InvalidOperationException($"{route} not ready: {await page.InnerTextAsync("main")} / errors: {string.Join(" | ", errors)} / finished: {pending}");
                }

                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                times.Add(await page.EvaluateAsync<double>($"() => performance.getEntriesByName('ready:{name}')[0].startTime"));
                (requests, bytes) = (finished.Count, 0);
                foreach (var request in finished)
                {
                    var sizes = await request.SizesAsync();
                    bytes += sizes.ResponseBodySize + sizes.ResponseHeadersSize;
                }

                if (errors.Count != 0)
                {
                    throw new InvalidOperationException($"{route}: errors in the page:\n{string.Join('\n', errors)}");
                }

                await UiHost.ScreenshotAsync(page, $"bench-{name}");
                await page.Context.CloseAsync();
            }

            var rest = times.Skip(1).Order().ToList();
            table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {times[0]:F0} | {(rest[1] + rest[2]) / 2:F0} | {requests} | {bytes / 1024.0:F1} |");
        }

        return table.ToString();
    }
}
