using System.Net;
using System.Net.Http.Json;
using Dapper;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Galera;

/// <summary>A node killed (kill -9 of its mariadbd) while its instance computes a report shard.</summary>
[Collection(GaleraCollection.Name)]
public sealed class GaleraFailoverTests(GaleraCluster cluster)
{
    private const int Killed = 3;

    [GaleraFact]
    public async Task A_report_completes_through_the_other_nodes_and_the_node_serves_again_after_it_rejoins()
    {
        // Shards big enough that one is still running when the kill lands (it takes a bash script
        // and a moment), and fewer than the instances, so that the instance that plans the report
        // (the one it was triggered on, woken at once) also claims the first shard. Leases outlast
        // the pause of the whole cluster's writes until it declares the killed node gone (about 5 s),
        // so that only the killed instance's shard changes hands.
        const int stores = 1500;
        await using var deployment = await GaleraDeployment.StartAsync(cluster,
            ("StoreMonitoring:Reports:ShardStores", "500"), ("StoreMonitoring:Reports:LeaseSeconds", "8"));
        InputData.WriteAll(deployment.Folders[0].Sub("data"), stores);
        Assert.Equal(HttpStatusCode.OK, (await deployment.Client(1).PostAsync("/import_data", null)).StatusCode);
        await using var reference = await SqliteReference.StartAsync(stores);
        var expected = await reference.CsvAsync("");

        // The instance may not be seen computing a shard before the report completes, or it may
        // commit the shard caught running in the instant before the kill lands: then nothing was cut
        // off mid-shard, and the round is played again.
        string? reportId = null;
        var cutOff = false;
        for (var round = 1; round <= 3 && !cutOff; round++)
        {
            // Triggered through the instance to be cut off: it is woken at once, the others on their next poll.
            reportId = await deployment.Client(Killed).TriggerAsync();
            long caught;
            await using (var watcher = await deployment.OpenAsync(1))
            {
                if (await WaitForRunningShardAsync(watcher, reportId, GaleraDeployment.InstanceName(Killed)) is not { } shard)
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"round {round}: the report completed before a shard was seen running on {GaleraDeployment.InstanceName(Killed)}");
                    continue;
                }

                caught = shard;
            }

            try
            {
                await cluster.KillNodeAsync(Killed);
                // Its instance cannot reach the database meanwhile: a 503 to try elsewhere, not a 500.
                var down = await deployment.Client(Killed).GetAsync($"/get_report?report_id={reportId}");
                Assert.True(down.StatusCode == HttpStatusCode.ServiceUnavailable, $"{down.StatusCode}: {await down.Content.ReadAsStringAsync()}");
                Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);

                var csv = await GaleraReports.CsvAsync(deployment.Client(1), reportId);

                GaleraReports.AssertSameCsv(expected, csv, $"report {reportId} through node 1 after the kill");
                await using var connection = await deployment.OpenAsync(2);
                var shards = await GaleraReports.ShardsAsync(connection, reportId);
                Assert.All(shards, s => Assert.Equal(("Complete", s.Stores), (s.Status, s.Rows)));
                Assert.Equal(stores, shards.Sum(s => s.Stores));
                var taken = shards.Single(s => s.Shard == caught);
                TestContext.Current.TestOutputHelper?.WriteLine($"round {round}: shard {caught} caught running on {GaleraDeployment.InstanceName(Killed)}, finished by " +
                    $"{taken.Instance} after {taken.Attempts} attempts; all shards: {string.Join(", ", shards.Select(s => $"{s.Shard}:{s.Instance}/{s.Attempts}"))}");
                cutOff = taken.Instance != GaleraDeployment.InstanceName(Killed);
                if (cutOff)
                {
                    // Taken over by another instance once the killed one's lease ran out.
                    Assert.True(taken.Attempts >= 2, $"shard {caught}: {taken.Attempts} attempt(s)");
                }
            }
            finally
            {
                await cluster.RestartNodeAsync(Killed);
            }
        }

        Assert.True(cutOff, "in three rounds, the report or the shard caught running on the instance to cut off completed before the kill landed: make the shards bigger");

        // The instance on the node that came back serves again: reads, and writes the others see.
        var client = deployment.Client(Killed);
        GaleraReports.AssertSameCsv(expected, await GaleraReports.CsvAsync(client, reportId!), $"report {reportId} through the instance on the node back");
        var poll = new { store_id = InputData.StoreId(0), status = "inactive", timestamp_utc = "2024-10-15T00:30:00Z" };
        var response = await client.PostAsJsonAsync("/polls", new[] { poll });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(1, (await response.JsonAsync()).GetProperty("accepted").GetInt64());
        for (var node = 1; node <= 2; node++)
        {
            var store = await (await deployment.Client(node).GetAsync($"/stores/{poll.store_id}")).JsonAsync();
            Assert.Equal("{\"timestamp_utc\":\"2024-10-15T00:30:00Z\",\"status\":\"inactive\"}", store.GetProperty("last_poll").GetRawText());
        }
    }

    /// <summary>Polls report_shards (through a node that stays up) until a shard runs on <paramref name="instance"/>: its number, or null when the report completed first.</summary>
    private static async Task<long?> WaitForRunningShardAsync(MySqlConnector.MySqlConnection connection, string reportId, string instance)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var shard = await connection.QueryFirstOrDefaultAsync<long?>(
                "SELECT CAST(shard AS SIGNED) FROM report_shards WHERE report_id = @reportId AND status = 'Running' AND worker LIKE @worker ORDER BY shard LIMIT 1",
                new { reportId, worker = instance + ":%" });
            if (shard is not null)
            {
                return shard;
            }

            var status = await connection.ExecuteScalarAsync<string>("SELECT status FROM report_jobs WHERE report_id = @reportId", new { reportId });
            if (status is not ("Pending" or "Running"))
            {
                return null;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no shard of report {reportId} ran on {instance} within 60 s");
            await Task.Delay(10);
        }
    }
}
