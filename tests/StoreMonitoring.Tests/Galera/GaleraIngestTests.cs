using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Galera;

/// <summary>Imports and poll ingest on a three-node Galera cluster, one service instance per node.</summary>
[Collection(GaleraCollection.Name)]
public sealed class GaleraIngestTests(GaleraCluster cluster)
{
    private const int Stores = 40;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [GaleraFact]
    public async Task An_import_through_one_instance_is_what_all_three_serve()
    {
        await using var deployment = await GaleraDeployment.StartAsync(cluster);
        InputData.WriteAll(deployment.Folders[0].Sub("data"), Stores);

        var import = await deployment.Client(1).PostAsync("/import_data", null);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var status = (await import.JsonAsync()).GetProperty("files").GetProperty("store_status.csv");
        Assert.Equal(Stores * 193, status.GetProperty("imported").GetInt64());

        var expected = await StoreListAsync(deployment.Client(1));
        Assert.Equal(Stores, expected.Count);
        for (var node = 1; node <= 3; node++)
        {
            await using var connection = await deployment.OpenAsync(node);
            Assert.Equal(Stores * 193L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM store_status"));
            Assert.Equal(Stores * 4L / 5, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM store_timezones"));
            Assert.Equal(expected, await StoreListAsync(deployment.Client(node)));
        }
    }

    [GaleraFact]
    public async Task Three_instances_starting_at_once_on_an_empty_database_migrate_it_once()
    {
        // Each instance answered ready: none failed on a script another one had run.
        await using var deployment = await GaleraDeployment.StartAsync(cluster, together: true);

        List<long>? first = null;
        for (var node = 1; node <= 3; node++)
        {
            await using var connection = await deployment.OpenAsync(node);
            var versions = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
            first ??= versions;
            Assert.Equal(first, versions);
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_lock WHERE holder IS NOT NULL"));
        }

        Assert.Contains(4L, first!);
    }

    [GaleraFact]
    public async Task Polls_sent_through_two_instances_at_once_are_stored_once_each()
    {
        await using var deployment = await GaleraDeployment.StartAsync(cluster);
        InputData.WriteAll(deployment.Folders[0].Sub("data"), Stores);
        Assert.Equal(HttpStatusCode.OK, (await deployment.Client(1).PostAsync("/import_data", null)).StatusCode);

        // Every poll has its own store and instant. Shared polls go through both instances, the others
        // through one; two stores are new, so both instances register them at the same time.
        var random = new Random(7);
        var polls = NewPolls(random);
        var side = polls.Select(_ => random.Next(3)).ToArray(); // 0: both, 1: instance 1 only, 2: instance 2 only
        var shared = polls.Where((_, i) => side[i] == 0).ToList();
        var first = Shuffle(polls.Where((_, i) => side[i] != 2), random);
        var second = Shuffle(polls.Where((_, i) => side[i] != 1), random);

        var results = await Task.WhenAll(SendAsync(deployment.Client(1), first), SendAsync(deployment.Client(2), second));
        var totals = results.SelectMany(r => r).ToList();
        Assert.Equal(polls.Count, totals.Sum(r => r.GetProperty("accepted").GetInt64()));
        Assert.Equal(shared.Count, totals.Sum(r => r.GetProperty("unchanged").GetInt64()));
        Assert.All(totals, r => Assert.Equal(0, r.GetProperty("conflicts").GetInt64() + r.GetProperty("rejected").GetInt64()));

        await AssertStoredOnEveryNodeAsync(deployment, polls);
        await AssertIncidentsAsOneSqliteInstanceAsync(deployment, polls);
    }

    // The import (node 1) and the batches (node 2) recompute the same stores' incidents: each
    // recomputation takes its turn on the stores' rows first, so the one that commits second
    // loses the certification and runs again on what the other wrote.
    [GaleraFact]
    public async Task Polls_through_one_instance_during_an_import_through_another_are_all_kept_with_their_incidents() =>
        await ImportDuringPollsAsync();

    private async Task ImportDuringPollsAsync()
    {
        await using var deployment = await GaleraDeployment.StartAsync(cluster);
        InputData.WriteAll(deployment.Folders[0].Sub("data"), Stores);
        var polls = Shuffle(NewPolls(new Random(11)), new Random(12));

        // The polls are for the file's stores (some not yet imported when the first batches arrive).
        var import = deployment.Client(1).PostAsync("/import_data", null);
        var sent = await SendAsync(deployment.Client(2), polls);
        var imported = await import;

        Assert.True(imported.StatusCode == HttpStatusCode.OK, $"{imported.StatusCode}: {await imported.Content.ReadAsStringAsync()}");
        var file = (await imported.JsonAsync()).GetProperty("files").GetProperty("store_status.csv");
        Assert.Equal(Stores * 193L, file.GetProperty("imported").GetInt64() + file.GetProperty("unchanged").GetInt64());
        Assert.Equal(0L, file.GetProperty("rejected").GetInt64() + file.GetProperty("conflicts").GetInt64());
        Assert.Equal(polls.Count, sent.Sum(r => r.GetProperty("accepted").GetInt64()));
        await AssertStoredOnEveryNodeAsync(deployment, polls);
        await AssertIncidentsAsOneSqliteInstanceAsync(deployment, polls);
    }

    /// <summary>Hourly-ish polls after the files' last one for 20 of the files' stores and two new ones, each its own store and instant.</summary>
    private static List<Poll> NewPolls(Random random)
    {
        var polls = new List<Poll>();
        for (var s = 0; s < 22; s++)
        {
            var store = s < 20 ? InputData.StoreId(s) : $"galera-new-{s}";
            for (var minute = 5; minute <= 12 * 60; minute += 10)
            {
                var at = InputData.Latest.AddMinutes(minute).AddSeconds(random.Next(0, 300));
                polls.Add(new Poll(store, random.NextDouble() < 0.7 ? "active" : "inactive", at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
            }
        }

        return polls;
    }

    /// <summary>Every node holds the files' polls and exactly <paramref name="polls"/> after them.</summary>
    private static async Task AssertStoredOnEveryNodeAsync(GaleraDeployment deployment, List<Poll> polls)
    {
        var expected = polls.Select(p => (p.StoreId, DateTime.Parse(p.TimestampUtc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), p.Status == "active"))
            .Order().ToList();
        var latestUs = (InputData.Latest - DateTime.UnixEpoch).Ticks / 10;
        for (var node = 1; node <= 3; node++)
        {
            await using var connection = await deployment.OpenAsync(node);
            var stored = (await connection.QueryAsync<(string Store, long At, bool Active)>("""
                SELECT s.store_id, o.observed_at_us, o.active FROM store_status o JOIN stores s ON s.store_key = o.store_key
                WHERE o.observed_at_us > @latestUs
                """, new { latestUs }))
                .Select(r => (r.Store, DateTime.UnixEpoch.AddTicks(r.At * 10), r.Active)).Order().ToList();
            Assert.Equal(expected, stored);
            Assert.Equal(Stores * 193L + polls.Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM store_status"));
            Assert.Equal(Stores + 2L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stores"));
        }
    }

    /// <summary>The incidents every instance serves equal those of one instance on SQLite that imported the files, then took the polls in one batch.</summary>
    private static async Task AssertIncidentsAsOneSqliteInstanceAsync(GaleraDeployment deployment, List<Poll> polls)
    {
        await using var reference = await TestDatabase.CreateAsync(Engine.Sqlite);
        InputData.WriteAll(reference.Folder.Sub("data"), Stores);
        await using var single = new StoreMonitoringApp(reference.Settings());
        var client = single.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/import_data", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", polls, Json)).StatusCode);
        var incidents = await IncidentsAsync(client);
        Assert.NotEmpty(incidents);
        for (var node = 1; node <= 3; node++)
        {
            Assert.Equal(incidents, await IncidentsAsync(deployment.Client(node)));
        }
    }

    private static List<Poll> Shuffle(IEnumerable<Poll> polls, Random random)
    {
        var list = polls.ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }

    /// <summary>
    /// Sends the polls in batches of 50, one after the other, as a poller does: a 503 (nothing of the
    /// batch applied) is sent again, for up to a minute.
    /// </summary>
    private static async Task<List<JsonElement>> SendAsync(HttpClient client, List<Poll> polls)
    {
        var results = new List<JsonElement>();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        foreach (var batch in polls.Chunk(50))
        {
            for (var attempt = 1; ; attempt++)
            {
                var response = await client.PostAsJsonAsync("/polls", batch, Json);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"a batch of {batch.Length} answered 503 (attempt {attempt}), sent again");
                    await Task.Delay(200);
                    continue;
                }

                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode} (attempt {attempt}): {await response.Content.ReadAsStringAsync()}");
                results.Add(await response.JsonAsync());
                break;
            }
        }

        return results;
    }

    private static async Task<List<string>> StoreListAsync(HttpClient client)
    {
        var page = await (await client.GetAsync("/stores?limit=500")).JsonAsync();
        // What the data says, not what the clock makes of it (state and local time move with the minute).
        return [.. page.GetProperty("stores").EnumerateArray().Select(s => $"{s.GetProperty("store_id")} {s.GetProperty("timezone")} {s.GetProperty("last_poll").GetRawText()}")];
    }

    /// <summary>Every incident, without its id (each database draws its own), in a fixed order.</summary>
    private static async Task<List<string>> IncidentsAsync(HttpClient client)
    {
        var all = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync($"/incidents?limit=500{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}")).JsonAsync();
            foreach (var incident in page.GetProperty("incidents").EnumerateArray())
            {
                all.Add(string.Join(',', incident.EnumerateObject().Where(p => p.Name != "incident_id").Select(p => $"{p.Name}={p.Value.GetRawText()}")));
            }

            cursor = page.TryGetProperty("next_cursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        all.Sort(StringComparer.Ordinal);
        return all;
    }

    private sealed record Poll(string StoreId, string Status, string TimestampUtc);
}
