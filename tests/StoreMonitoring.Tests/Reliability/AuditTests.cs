using System.Net;
using System.Text;
using System.Text.Json;
using StoreMonitoring.Stores;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;
using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>The audit's classes that need more than one request: each on both engines, with what was stored before and after.</summary>
public sealed class AuditTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_second_import_of_unchanged_files_keeps_the_edits_made_since(Engine engine)
    {
        await using var c = await CaseContext.CreateAsync(engine, seed: true);
        var edited = await c.Client.PutAsync($"/stores/{Id(1)}/timezone", Json("""{"timezone_str":"Pacific/Honolulu"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c.Client.PutAsync($"/stores/{Id(2)}/hours", Json("[]"), Ct)).StatusCode);
        var afterEdits = await c.CountsAsync();
        Assert.Equal(CaseContext.SeedCounts with { BusinessHours = CaseContext.SeedCounts.BusinessHours - 10 }, afterEdits);

        InputData.WriteAll(c.DataDirectory, CaseContext.SeedStores);
        var again = await c.Client.PostAsync("/import_data", null, Ct);
        var body = await again.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        foreach (var (file, rows) in new[] { (HoursFile, 24L), (ZonesFile, 4L) })
        {
            var summary = FileSummary(body, file);
            Assert.Contains("identical to", summary.GetProperty("skipped").GetString(), StringComparison.Ordinal);
            Assert.Equal((0L, rows), (Number(summary, "imported"), Number(summary, "unchanged")));
        }

        var status = FileSummary(body, StatusFile);
        Assert.Equal(Number(status, "rows_read"), Number(status, "unchanged"));
        Assert.Equal(afterEdits, await c.CountsAsync());
        Assert.Equal("Pacific/Honolulu", (await StoreAsync(c, Id(1))).GetProperty("timezone").GetString());
        Assert.Equal(0, (await StoreAsync(c, Id(2))).GetProperty("business_hours").GetArrayLength());

        // A snapshot that differs is applied as a whole, as before: the file's zone is back.
        c.ClearData();
        c.Write(ZonesFile, Lines(ZonesHeader, GoodZone(0), GoodZone(1), GoodZone(2), GoodZone(3)));
        Assert.Equal(HttpStatusCode.OK, (await c.Client.PostAsync("/import_data", null, Ct)).StatusCode);
        Assert.Equal("America/New_York", (await StoreAsync(c, Id(1))).GetProperty("timezone").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_store_without_polls_has_no_last_poll(Engine engine)
    {
        await using var c = await CaseContext.CreateAsync(engine, seed: true);
        Assert.Equal(HttpStatusCode.OK, (await c.Client.PutAsync("/stores/no-polls-1/timezone", Json("""{"timezone_str":"America/Denver"}"""), Ct)).StatusCode);

        var list = await (await c.Client.GetAsync("/stores?limit=1000", Ct)).JsonAsync();
        var store = list.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("store_id").GetString() == "no-polls-1");
        Assert.False(store.TryGetProperty("last_poll", out var last) && last.ValueKind != JsonValueKind.Null, $"a last poll was invented: {store}");
        Assert.Equal("unknown", store.GetProperty("state").GetString());
        var seeded = list.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("store_id").GetString() == Id(0));
        Assert.StartsWith("2024-10-14", seeded.GetProperty("last_poll").GetProperty("timestamp_utc").GetString(), StringComparison.Ordinal);
        var page = await StoreAsync(c, "no-polls-1");
        Assert.False(page.TryGetProperty("last_poll", out var pageLast) && pageLast.ValueKind != JsonValueKind.Null, $"{page}");
    }

    /// <summary>Ids the alphabet accepts, however awkward in a URL, a CSV cell or HTML.</summary>
    public static readonly string[] AwkwardIds =
    [
        "a b", "%41", "%2", "?x#y", "ü-straße", "店舗😀", "a+b", "...", ".hidden", "a;b=c", "<b>'\"&amp;", "~user", " lead", "trail ", "=SUM(1)", "a,b", "50%",
    ];

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Every_accepted_id_is_reachable_through_every_store_route(Engine engine)
    {
        await using var c = await CaseContext.CreateAsync(engine, seed: true);
        Assert.All(AwkwardIds, id => Assert.Null(StoreIds.Problem(id)));
        var polls = string.Join(",", AwkwardIds.SelectMany(id => new[]
        {
            $$"""{"store_id":{{JsonSerializer.Serialize(id)}},"status":"inactive","timestamp_utc":"2024-10-14T21:00:00Z"}""",
            $$"""{"store_id":{{JsonSerializer.Serialize(id)}},"status":"inactive","timestamp_utc":"2024-10-14T22:00:00Z"}""",
        }));
        var ingest = await (await c.Client.PostAsync("/polls", Json($"[{polls}]"), Ct)).JsonAsync();
        Assert.Equal(AwkwardIds.Length * 2, ingest.GetProperty("accepted").GetInt64());

        foreach (var id in AwkwardIds)
        {
            var path = $"/stores/{StoreIds.Escape(id)}";
            Assert.Equal(id, (await GetOkAsync(c, path)).GetProperty("store_id").GetString());
            Assert.Equal(id, (await GetOkAsync(c, $"{path}/timeline?from=2024-10-14T20:00:00Z&to=2024-10-14T23:00:00Z")).GetProperty("store_id").GetString());
            var incidents = (await GetOkAsync(c, $"{path}/incidents")).GetProperty("incidents");
            Assert.True(incidents.GetArrayLength() > 0, $"{id}: no incident");
            Assert.All(incidents.EnumerateArray(), i => Assert.Equal(id, i.GetProperty("store_id").GetString()));
            Assert.Equal(id, (await GetOkAsync(c, $"/incidents?store_id={StoreIds.Escape(id)}")).GetProperty("incidents")[0].GetProperty("store_id").GetString());
            var put = await c.Client.PutAsync($"{path}/timezone", Json("""{"timezone_str":"Europe/Berlin"}"""), Ct);
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"{id}: {await put.Content.ReadAsStringAsync(Ct)}");
            Assert.Equal(id, (await put.JsonAsync()).GetProperty("store_id").GetString());
        }

        var listed = (await GetOkAsync(c, "/stores?limit=1000")).GetProperty("stores").EnumerateArray().Select(s => s.GetProperty("store_id").GetString()).ToHashSet();
        Assert.Superset(AwkwardIds.ToHashSet(), listed!);
        // The PUTs registered no second store under a decoded or re-encoded spelling.
        Assert.Equal(CaseContext.SeedStores + AwkwardIds.Length, await c.CountStoresAsync());
    }

    private static async Task<JsonElement> GetOkAsync(CaseContext c, string path)
    {
        var response = await c.Client.GetAsync(path, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.JsonAsync();
    }

    private static Task<JsonElement> StoreAsync(CaseContext c, string id) => GetOkAsync(c, $"/stores/{StoreIds.Escape(id)}");

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
