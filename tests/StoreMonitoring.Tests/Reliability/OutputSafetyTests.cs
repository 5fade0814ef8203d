using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StoreMonitoring.Tests.Infrastructure;
using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>What the CLI prints reaches no terminal as control sequences; the dashboard is served whatever the working directory.</summary>
public sealed class OutputSafetyTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Storemon_prints_input_with_its_control_characters_escaped(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        // A file name, a status value and a store id that would clear the screen, set the title and recolour it.
        var name = "store_status\u001B[2J.csv";
        File.WriteAllText(Path.Combine(data, name), Lines(
            StatusHeader, GoodPoll(1), $"{Id(2)},bogus\u001B]0;pwned\u0007,2024-10-15 00:02:00 UTC", $"st\u009Bre\u202E,active,2024-10-15 00:02:00 UTC"));

        var import = await Storemon.RunAsync(db, db.Folder.Path, "import", data);

        Assert.True(import.ExitCode == 0, import.Error);
        foreach (var output in new[] { import.Output, import.Error })
        {
            Assert.DoesNotContain('\u001B', output);
            Assert.DoesNotContain('\u0007', output);
            Assert.DoesNotContain('\u009B', output);
            Assert.DoesNotContain('\u202E', output);
        }

        Assert.Contains(@"store_status\u001B[2J.csv", import.Output, StringComparison.Ordinal);
        Assert.Contains(@"bogus\u001B]0;pwned\u0007", import.Output, StringComparison.Ordinal);
        Assert.Contains("1", import.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_is_served_from_the_built_output_whatever_the_working_directory()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var elsewhere = db.Folder.Sub("elsewhere");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = elsewhere, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "StoreMonitoring.Api.dll"));
        foreach (var (key, value) in db.Settings(("StoreMonitoring:Auth:Mode", "None"), ("StoreMonitoring:Reports:RunWorker", "false")))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            HttpResponseMessage? page = null;
            for (var attempt = 0; attempt < 100 && page is null && !process.HasExited; attempt++)
            {
                try
                {
                    page = await client.GetAsync("/ui/index.html", TestContext.Current.CancellationToken);
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200, TestContext.Current.CancellationToken);
                }
            }

            Assert.True(page is not null, $"the service did not answer: {(process.HasExited ? await stderr : "")}");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<html", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ui/app.js", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A free port in this project's range on 127.0.0.1.</summary>
    internal static int FreePort()
    {
        for (var port = 18150 + Random.Shared.Next(40); port < 18200; port++)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try the next.
            }
        }

        throw new InvalidOperationException("no free port in 18150-18199");
    }
}
