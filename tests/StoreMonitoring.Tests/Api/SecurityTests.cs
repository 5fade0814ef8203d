using System.Net;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>Keys, scopes, start-up rules and response hygiene, through the real pipeline on both engines.</summary>
public sealed class SecurityTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Keys_and_scopes_decide_who_reads_and_who_writes(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 3);
        var keys = new ApiKeys();
        await using var app = new StoreMonitoringApp(db.Settings(keys.Settings));
        var client = app.CreateClient();

        var missing = await client.GetAsync("/reports");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("API key required", (await missing.JsonAsync()).GetProperty("title").GetString());

        var wrong = await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/reports", bearer: keys.Read + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("invalid_token", wrong.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("Invalid API key", (await wrong.JsonAsync()).GetProperty("title").GetString());

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/reports", bearer: keys.Read))).StatusCode);

        var readOnWrite = await client.SendAsync(ApiKeys.Request(HttpMethod.Post, "/trigger_report", bearer: keys.Read));
        Assert.Equal(HttpStatusCode.Forbidden, readOnWrite.StatusCode);
        var forbidden = await readOnWrite.JsonAsync();
        Assert.Contains("'write'", forbidden.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(forbidden.TryGetProperty("trace_id", out _));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(ApiKeys.Request(HttpMethod.Post, "/import_data", header: keys.Read))).StatusCode);

        // Write implies read; import is POST only, and GET names POST.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Post, "/import_data", header: keys.Write))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/reports", bearer: keys.Write))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/debug_data", header: keys.Read))).StatusCode);
        var get = await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/import_data", bearer: keys.Write));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", string.Join(",", get.Content.Headers.Allow));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.GetAsync("/import_data")).StatusCode);

        var trigger = await client.SendAsync(ApiKeys.Request(HttpMethod.Post, "/trigger_report", bearer: keys.Write));
        Assert.Equal(HttpStatusCode.OK, trigger.StatusCode);

        // The service's own front door and probes stay anonymous; metrics need a key.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/metrics", bearer: keys.Read))).StatusCode);

        // The OpenAPI document says how to authenticate and which scope each operation needs.
        var openApi = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        Assert.True(openApi.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
        var triggerOperation = openApi.GetProperty("paths").GetProperty("/trigger_report").GetProperty("post");
        Assert.Equal("write", triggerOperation.GetProperty("security")[0].GetProperty("bearer")[0].GetString());
        Assert.True(triggerOperation.GetProperty("responses").TryGetProperty("403", out _));
        Assert.False(openApi.GetProperty("paths").GetProperty("/").GetProperty("get").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task Production_without_keys_refuses_to_start_unless_open_on_purpose()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using (var refused = new StoreMonitoringApp(db.Settings((StoreMonitoringApp.Environment, "Production"), ("StoreMonitoring:Auth:Mode", "Keys"))))
        {
            var error = Assert.ThrowsAny<Exception>(() => refused.CreateClient());
            Assert.Contains("No API keys are configured", Messages(error), StringComparison.Ordinal);
        }

        await using var open = new StoreMonitoringApp(db.Settings((StoreMonitoringApp.Environment, "Production"), ("StoreMonitoring:Auth:Mode", "None")));
        var client = open.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/reports")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/docs/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Docs_are_served_in_Production_only_when_enabled_with_their_own_policy()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using var app = new StoreMonitoringApp(db.Settings(
            (StoreMonitoringApp.Environment, "Production"), ("StoreMonitoring:Auth:Mode", "None"), ("StoreMonitoring:Docs:Enabled", "true")));
        var client = app.CreateClient();

        var docs = await client.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("script-src 'self'", string.Join(";", docs.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Responses_carry_security_headers_and_no_server_name_over_Kestrel(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings());
        app.UseKestrel(0);
        app.StartServer();
        using var client = app.CreateClient();

        var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Empty(response.Headers.Server);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));

        // No CORS unless configured, and an open service refuses a cross-site form post.
        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/trigger_report");
        crossSite.Headers.Add("Origin", "https://evil.example");
        var refused = await client.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Configured_origins_get_cors_headers()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Cors:Origins:0", "https://dashboard.example")));
        var client = app.CreateClient();

        var request = new HttpRequestMessage(HttpMethod.Get, "/reports");
        request.Headers.Add("Origin", "https://dashboard.example");
        var response = await client.SendAsync(request);
        Assert.Equal("https://dashboard.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Responses_name_no_absolute_path_and_no_exception_text(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        InputData.WriteAll(data, stores: 2);
        // A file that opens but cannot be read (EIO, even for root): the I/O error's message names the full path.
        File.Delete(Path.Combine(data, "timezones.csv"));
        File.CreateSymbolicLink(Path.Combine(data, "timezones.csv"), "/proc/self/mem");
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        var import = await client.PostAsync("/import_data", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, import.StatusCode);
        var body = await import.Content.ReadAsStringAsync();
        // The link is refused before anything is opened, and without the path.
        Assert.Contains("timezones.csv: not a regular file", body, StringComparison.Ordinal);
        Assert.DoesNotContain(db.Folder.Path, body, StringComparison.Ordinal);

        var debug = await (await client.GetAsync("/debug_data")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(db.Folder.Path, debug, StringComparison.Ordinal);
        Assert.Contains("\"directory\":\"data\"", debug, StringComparison.Ordinal);

        var empty = db.Folder.Sub("empty");
        await using var noFiles = new StoreMonitoringApp(db.Settings(("StoreMonitoring:DataDirectory", empty)));
        var missing = await (await noFiles.CreateClient().PostAsync("/import_data", null)).Content.ReadAsStringAsync();
        Assert.Contains("No input files in 'empty'", missing, StringComparison.Ordinal);
        Assert.DoesNotContain(db.Folder.Path, missing, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_failed_report_says_so_without_the_exception_text(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        // A job no worker can run (another version queued a method this one does not know): the runner throws.
        var id = Guid.NewGuid().ToString();
        await using (var connection = await ((StoreMonitoring.Storage.StoreDatabase)app.Services.GetService(typeof(StoreMonitoring.Storage.StoreDatabase))!).OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "INSERT INTO report_jobs (report_id, status, method, requested_at_us) VALUES (@id, 'Pending', 'bogus', 0)", new { id });
        }

        var failed = await (await client.WaitForReportAsync(id)).JsonAsync();

        Assert.Equal("Error", failed.GetProperty("status").GetString());
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains(id, error, StringComparison.Ordinal);
        Assert.DoesNotContain("bogus", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.Contains("storemon_report_state=\"error\"", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    private static string Messages(Exception? error)
    {
        var text = "";
        for (; error is not null; error = error.InnerException)
        {
            text += error.Message + "\n";
        }

        return text;
    }
}
