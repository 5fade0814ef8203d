using Dapper;
using MySqlConnector;
using StoreMonitoring.Tests.Api;

namespace StoreMonitoring.Tests.Galera;

/// <summary>A report's shards as stored (<c>report_shards</c>), with the report rows that fall in each one's store range.</summary>
internal sealed record ShardRow(long Shard, string Status, string? Worker, long Attempts, long Stores, long Rows)
{
    /// <summary>The instance that computed the shard: the worker id's first part (<c>{InstanceName}:{pid}:{hex}</c>).</summary>
    public string? Instance => Worker?.Split(':')[0];
}

internal static class GaleraReports
{
    /// <summary>Waits until the report is done, then downloads its CSV (200, text/csv).</summary>
    public static async Task<string> CsvAsync(HttpClient client, string reportId, int timeoutSeconds = 120)
    {
        var done = await client.WaitForReportAsync(reportId, timeoutSeconds: timeoutSeconds);
        var text = await done.Content.ReadAsStringAsync();
        Assert.True(done.Content.Headers.ContentType?.MediaType == "text/csv", $"report {reportId}: {text}");
        return text;
    }

    /// <summary>Byte-identical CSVs; on a difference, says where (whole reports make unreadable messages).</summary>
    public static void AssertSameCsv(string expected, string actual, string what)
    {
        if (expected == actual)
        {
            return;
        }

        var want = expected.Split('\n');
        var got = actual.Split('\n');
        var line = Enumerable.Range(0, Math.Min(want.Length, got.Length)).FirstOrDefault(i => want[i] != got[i], Math.Min(want.Length, got.Length));
        Assert.Fail($"{what}: {got.Length} lines, not {want.Length}; first difference at line {line + 1}:\n" +
            $"expected: {(line < want.Length ? want[line] : "(end)")}\nactual:   {(line < got.Length ? got[line] : "(end)")}");
    }

    public static async Task<List<ShardRow>> ShardsAsync(MySqlConnection connection, string reportId) =>
        [.. await connection.QueryAsync<ShardRow>("""
            SELECT CAST(h.shard AS SIGNED) AS Shard, h.status AS Status, h.worker AS Worker, CAST(h.attempts AS SIGNED) AS Attempts,
                CAST(h.stores AS SIGNED) AS Stores, (SELECT COUNT(*) FROM report_rows r JOIN stores s ON s.store_id = r.store_id
                 WHERE r.report_id = h.report_id AND s.store_key BETWEEN h.first_key AND h.last_key) AS `Rows`
            FROM report_shards h WHERE h.report_id = @reportId ORDER BY h.shard
            """, new { reportId })];

    /// <summary>Every shard complete and computed once, each with as many rows as it says it wrote, all of them adding up to the report's.</summary>
    public static void AssertEachShardRanOnce(List<ShardRow> shards, string csv)
    {
        Assert.NotEmpty(shards);
        Assert.All(shards, s => Assert.Equal(("Complete", 1L, s.Stores), (s.Status, s.Attempts, s.Rows)));
        Assert.Equal(csv.TrimEnd('\n').Split('\n').Length - 1, shards.Sum(s => s.Stores));
    }
}
