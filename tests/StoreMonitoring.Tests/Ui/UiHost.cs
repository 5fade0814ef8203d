using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StoreMonitoring.Lab.Generation;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Ui;

/// <summary>
/// The real service on a real port of 127.0.0.1 with generated data imported, and Debian's
/// Chromium driven by Playwright against it.
/// </summary>
/// <remarks>
/// Playwright cannot download a browser here, so the tests use <c>/usr/bin/chromium</c>: without it
/// they skip locally with instructions and fail on CI (<c>CI=true</c>), like the MariaDB tests.
/// </remarks>
public sealed class UiHost : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private UiHost(TestDatabase database, StoreMonitoringApp app, string address, HttpClient client, IPlaywright playwright, IBrowser browser)
    {
        Database = database;
        App = app;
        Address = address;
        Client = client;
        Playwright = playwright;
        Browser = browser;
    }

    public TestDatabase Database { get; }

    public StoreMonitoringApp App { get; }

    /// <summary>The service's base address, e.g. http://127.0.0.1:41234.</summary>
    public string Address { get; }

    /// <summary>A client of the same server, over the network like the browser.</summary>
    public HttpClient Client { get; }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    /// <summary>Where the tests save screenshots: the test output folder.</summary>
    public static string ScreenshotFolder => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "ui-screenshots")).FullName;

    public static void RequireChromium()
    {
        if (File.Exists(Chromium))
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI=true but {Chromium} is missing: .ci/run must install Debian's chromium package.");
        }

        Assert.Skip($"Dashboard tests are skipped: install Debian's Chromium (`apt-get install -y chromium`) so that {Chromium} exists.");
    }

    /// <summary>Generates data (stores × days), starts the service, imports, and optionally completes a report.</summary>
    public static async Task<UiHost> StartAsync(
        Engine engine, int stores = 60, int days = 8, bool report = true, bool worker = true, (string Key, string? Value)[]? settings = null, string? bearer = null)
    {
        RequireChromium();
        var database = await TestDatabase.CreateAsync(engine);
        DataGenerator.Generate(new GeneratorOptions(stores, days, 13), database.Folder.Sub("data"));
        var app = new StoreMonitoringApp(database.Settings([("StoreMonitoring:Reports:RunWorker", worker ? "true" : "false"), .. settings ?? []]));
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => a.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal))
            .First(a => a.StartsWith("http://", StringComparison.Ordinal));
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);
        if (report)
        {
            await client.WaitForReportAsync(await client.TriggerAsync(), timeoutSeconds: 600);
        }

        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        return new UiHost(database, app, address, client, playwright, browser);
    }

    /// <summary>A fresh browser page whose console errors and uncaught exceptions are collected.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Address, AcceptDownloads = true, ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return (page, errors);
    }

    /// <summary>Navigates to a dashboard route and waits until the page says it is drawn.</summary>
    public static async Task GoAsync(IPage page, string route)
    {
        await page.GotoAsync($"/ui/index.html#{route}");
        await ReadyAsync(page);
    }

    public static async Task ReadyAsync(IPage page)
    {
        await page.WaitForSelectorAsync("main[data-ready=true]");
    }

    public async Task<JsonElement> JsonAsync(string path)
    {
        var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        Client.Dispose();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
