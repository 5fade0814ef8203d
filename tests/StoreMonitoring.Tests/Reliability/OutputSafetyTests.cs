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

    [Fact]
    public async Task Requests_the_server_refuses_itself_get_problem_details()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = db.Folder.Sub("cwd"), RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "StoreMonitoring.Api.dll"));
        foreach (var (key, value) in db.Settings(("StoreMonitoring:Auth:Mode", "None"), ("StoreMonitoring:Reports:RunWorker", "false")))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            Assert.StartsWith("HTTP/1.1 200", await RawAsync(port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", waitForServer: true), StringComparison.Ordinal);
            var cases = new (string Request, int Status, string Detail)[]
            {
                ("GARBAGE\r\n\r\n", 400, "could not be read"),
                ("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "could not be read"),
                ($"GET /{new string('a', 10_000)} HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URL is longer"),
                ($"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {new string('b', 40_000)}\r\n\r\n", 431, "headers are larger"),
                ("GET /health HTTP/9.9\r\nHost: x\r\n\r\n", 505, "HTTP version"),
            };
            foreach (var (request, status, detail) in cases)
            {
                var answer = await RawAsync(port, request);
                Assert.True(answer.StartsWith($"HTTP/1.1 {status}", StringComparison.Ordinal), answer);
                Assert.Contains("Content-Type: application/problem+json", answer, StringComparison.Ordinal);
                var body = System.Text.Json.JsonDocument.Parse(answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement;
                Assert.Equal(status, body.GetProperty("status").GetInt32());
                Assert.Contains(detail, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            // Ordinary answers pass through untouched, error bodies of the service included.
            Assert.Contains("\"detail\"", await RawAsync(port, "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 200", await RawAsync(port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Sends raw bytes on a new connection and reads the answer until the server closes it or, once it answered, a second passes quietly.</summary>
    private static async Task<string> RawAsync(int port, string request, bool waitForServer = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
                var stream = tcp.GetStream();
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
                var answer = new MemoryStream();
                var buffer = new byte[8192];
                while (true)
                {
                    using var quiet = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
                    quiet.CancelAfter(TimeSpan.FromSeconds(answer.Length == 0 ? 10 : 1));
                    int read;
                    try
                    {
                        read = await stream.ReadAsync(buffer, quiet.Token);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or IOException)
                    {
                        break;
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    answer.Write(buffer, 0, read);
                }

                return System.Text.Encoding.UTF8.GetString(answer.ToArray());
            }
            catch (SocketException) when (waitForServer && attempt < 100)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
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
