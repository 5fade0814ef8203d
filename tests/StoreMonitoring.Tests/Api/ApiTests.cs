using System.Globalization;
using System.Net;
using StoreMonitoring.Reports;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>The HTTP API end to end, on the real pipeline and both real engines.</summary>
public sealed class ApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Import_trigger_poll_and_download_a_report(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 20);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        var welcome = await (await client.GetAsync("/")).JsonAsync();
        Assert.Equal("Welcome to Store Monitoring API", welcome.GetProperty("message").GetString());

        var import = await client.GetAsync("/import_data");
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var imported = await import.JsonAsync();
        Assert.Equal("Data import finished", imported.GetProperty("message").GetString());
        var statusFile = imported.GetProperty("files").GetProperty("store_status.csv");
        Assert.Equal(20 * 193, statusFile.GetProperty("rows_read").GetInt64());
        Assert.Equal(20 * 193, statusFile.GetProperty("imported").GetInt64());
        Assert.True(statusFile.TryGetProperty("duration_ms", out _));

        var reportId = await client.TriggerAsync();
        Assert.True(Guid.TryParse(reportId, out _));
        var done = await client.WaitForReportAsync(reportId);

        Assert.Equal("text/csv", done.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"report_{reportId}.csv", done.Content.Headers.ContentDisposition?.FileNameStar ?? done.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await done.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal(ReportCsv.Header, lines[0]);
        Assert.Equal(21, lines.Length);
        var ids = lines.Skip(1).Select(l => l.Split(',')[0]).ToArray();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',').Skip(1).Select(c => decimal.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            Assert.All(cells, c => Assert.True(c >= 0));
            Assert.True(cells[0] + cells[3] <= 60m);
            Assert.True(cells[1] + cells[4] <= 24m);
            Assert.True(cells[2] + cells[5] <= 168m);
        }

        // Store 0 has no hours rows: open 24x7, so its week adds up to 168 hours exactly.
        var store0 = lines.Single(l => l.StartsWith(InputData.StoreId(0), StringComparison.Ordinal)).Split(',');
        Assert.Equal(168m, decimal.Parse(store0[3], CultureInfo.InvariantCulture) + decimal.Parse(store0[6], CultureInfo.InvariantCulture));
        Assert.Equal(60m, decimal.Parse(store0[1], CultureInfo.InvariantCulture) + decimal.Parse(store0[4], CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Json_and_extended_csv_agree_with_the_default_csv(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 10);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        await client.ImportAsync();
        var reportId = await client.TriggerAsync("?method=interpolated");
        var csv = (await (await client.WaitForReportAsync(reportId)).Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        var extended = (await (await client.GetAsync($"/get_report?report_id={reportId}&columns=extended")).Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        var json = await (await client.GetAsync($"/get_report?report_id={reportId}&format=json")).JsonAsync();

        Assert.Equal(ReportCsv.ExtendedHeader, extended[0]);
        var stores = json.GetProperty("stores").EnumerateArray().ToArray();
        Assert.Equal(csv.Length - 1, stores.Length);
        for (var i = 1; i < csv.Length; i++)
        {
            Assert.StartsWith(csv[i] + ",", extended[i] + ",", StringComparison.Ordinal);
            var cells = csv[i].Split(',');
            var store = stores[i - 1];
            Assert.Equal(cells[0], store.GetProperty("store_id").GetString());
            string[] windows = ["last_hour", "last_day", "last_week"];
            for (var w = 0; w < 3; w++)
            {
                var window = store.GetProperty(windows[w]);
                Assert.Equal(decimal.Parse(cells[1 + w], CultureInfo.InvariantCulture), window.GetProperty("estimated_uptime").GetDecimal());
                Assert.Equal(decimal.Parse(cells[4 + w], CultureInfo.InvariantCulture), window.GetProperty("estimated_downtime").GetDecimal());
                Assert.Equal(
                    window.GetProperty("business").GetDecimal(),
                    window.GetProperty("uptime").GetDecimal() + window.GetProperty("downtime").GetDecimal() + window.GetProperty("unknown").GetDecimal());
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_report_larger_than_the_response_buffers_downloads_whole(Engine engine)
    {
        // Over 64 KB of CSV: a synchronous write to the response would break off after the headers.
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 800);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        await client.ImportAsync();
        var reportId = await client.TriggerAsync();
        await client.WaitForReportAsync(reportId);

        var csv = await (await client.GetAsync($"/get_report?report_id={reportId}&columns=extended")).Content.ReadAsStringAsync();
        var json = await (await client.GetAsync($"/get_report?report_id={reportId}&format=json")).JsonAsync();

        Assert.True(csv.Length > 1 << 16, $"only {csv.Length} characters");
        Assert.Equal(801, csv.TrimEnd('\n').Split('\n').Length);
        Assert.Equal(800, json.GetProperty("stores").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Bad_requests_get_specific_problem_details(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        var badMethod = await client.PostAsync("/trigger_report?method=guess", null);
        Assert.Equal(HttpStatusCode.BadRequest, badMethod.StatusCode);
        Assert.Equal("application/problem+json", badMethod.Content.Headers.ContentType?.MediaType);
        Assert.Contains("method 'guess' is not a method", (await badMethod.JsonAsync()).GetProperty("detail").GetString());

        var badNow = await client.PostAsync("/trigger_report?now=next-tuesday", null);
        Assert.Equal(HttpStatusCode.BadRequest, badNow.StatusCode);
        Assert.True((await badNow.JsonAsync()).GetProperty("errors").TryGetProperty("now", out _));

        var missing = await client.GetAsync("/get_report");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("report_id is required", (await missing.JsonAsync()).GetProperty("detail").GetString());

        var malformed = await client.GetAsync("/get_report?report_id=12345");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("report_id '12345' is not a report id", (await malformed.JsonAsync()).GetProperty("detail").GetString());

        var unknown = await client.GetAsync($"/get_report?report_id={Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        var noFiles = await client.GetAsync("/import_data");
        Assert.Equal(HttpStatusCode.NotFound, noFiles.StatusCode);
        Assert.Contains("No input files", (await noFiles.JsonAsync()).GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_file_that_cannot_be_imported_is_named_and_the_others_still_import(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        InputData.WriteStatus(Path.Combine(data, "store_status.csv"), 3);
        InputData.Write(Path.Combine(data, "timezones.csv"), "id;zone\n1;America/Chicago\n");
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        var response = await client.PostAsync("/import_data", null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.StartsWith("timezones.csv: bad header", problem.GetProperty("detail").GetString());
        Assert.Equal(3 * 193, problem.GetProperty("files").GetProperty("store_status.csv").GetProperty("imported").GetInt64());
        Assert.Equal("menu_hours.csv", problem.GetProperty("missing_files")[0].GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_second_import_while_one_runs_gets_409(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 2);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        await client.GetAsync("/");

        var appLock = (StoreMonitoring.Storage.AppLock)app.Services.GetService(typeof(StoreMonitoring.Storage.AppLock))!;
        await appLock.TryAcquireAsync("import", "another-instance", TimeSpan.FromMinutes(1), default);

        var response = await client.GetAsync("/import_data");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Import already running", (await response.JsonAsync()).GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Debug_data_describes_the_data_and_the_rejected_rows(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        InputData.WriteAll(data, stores: 5);
        File.AppendAllText(Path.Combine(data, "store_status.csv"), "broken,maybe,2024-10-14 23:00:00 UTC\n");
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        await client.ImportAsync();

        var debug = await (await client.GetAsync("/debug_data")).JsonAsync();

        Assert.Equal(5 * 193, debug.GetProperty("counts").GetProperty("store_status").GetInt64());
        Assert.Equal(5, debug.GetProperty("distinct_stores").GetProperty("in_status").GetInt64());
        Assert.Equal(80.0, debug.GetProperty("coverage").GetProperty("timezones").GetProperty("percent").GetDouble());
        Assert.Equal("2024-10-14T23:00:00Z", debug.GetProperty("time_range").GetProperty("latest").GetString());
        var rejected = Assert.Single(debug.GetProperty("rejected_rows").EnumerateArray());
        Assert.Equal(5 * 193 + 2, rejected.GetProperty("line").GetInt64());
        Assert.Contains("unknown status 'maybe'", rejected.GetProperty("reason").GetString());
        Assert.Contains(debug.GetProperty("issues").EnumerateArray(), i => i.GetString()!.Contains("America/Chicago", StringComparison.Ordinal));
        Assert.Equal(5, debug.GetProperty("samples").GetProperty("store_status").GetArrayLength());
    }

    [Fact]
    public async Task Serves_the_openapi_document_and_interactive_docs()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        var openApi = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/trigger_report", out _));
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/get_report", out _));
        var docs = await client.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("<html", await docs.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
