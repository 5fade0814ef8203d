using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Storage;

/// <summary>What each engine must store exactly: microseconds, long and unicode store ids, the schema's version.</summary>
public sealed class StorageTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Microseconds_long_ids_and_unicode_ids_round_trip_through_import_and_report(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        var longId = new string('x', StoreMonitoring.Stores.StoreIds.MaxLength - 3) + "end";
        const string unicodeId = "café-東京-🍕";
        InputData.Write(Path.Combine(data, "store_status.csv"), $"""
            store_id,status,timestamp_utc
            {longId},active,2024-10-14 23:00:00.000001 UTC
            {longId},inactive,2024-10-14 23:30:00.999999 UTC
            {unicodeId},active,2024-10-14 23:59:59.123456 UTC
            {new string('y', StoreMonitoring.Stores.StoreIds.MaxLength + 1)},active,2024-10-14 23:00:00 UTC
            """.ReplaceLineEndings("\n"));
        InputData.Write(Path.Combine(data, "timezones.csv"), $"store_id,timezone_str\n{unicodeId},Asia/Tokyo\n");

        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        var import = await (await client.ImportAsync()).JsonAsync();
        Assert.Equal(1, import.GetProperty("files").GetProperty("store_status.csv").GetProperty("rejected").GetInt64());

        await using (var connection = await app.Services.GetRequiredService<StoreDatabase>().OpenAsync())
        {
            var stored = (await connection.QueryAsync<(string, long)>(
                "SELECT st.store_id, s.observed_at_us FROM store_status s JOIN stores st ON st.store_key = s.store_key ORDER BY s.observed_at_us")).ToArray();
            Assert.Equal((longId, 1728946800000001L), stored[0]);
            Assert.Equal((longId, 1728948600999999L), stored[1]);
            Assert.Equal((unicodeId, 1728950399123456L), stored[2]);
        }

        var reportId = await client.TriggerAsync();
        var csv = await (await client.WaitForReportAsync(reportId)).Content.ReadAsStringAsync();
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(unicodeId + ",", lines[1], StringComparison.Ordinal);
        Assert.StartsWith(longId + ",", lines[2], StringComparison.Ordinal);

        var json = await (await client.GetAsync($"/get_report?report_id={reportId}&format=json")).JsonAsync();
        Assert.Equal("2024-10-14T23:59:59.123456Z", json.GetProperty("now").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Migrations_apply_once_and_record_their_version(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var migrator = host.Services.GetRequiredService<Migrator>();

        Assert.Equal(0, await migrator.MigrateAsync());
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        var versions = await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version");
        Assert.Equal(Migrator.Scripts(db.Provider).Select(s => s.Version), versions);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Instances_migrating_at_once_take_turns_and_apply_each_script_once(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        // Four hosts on one empty database, none migrating at start: then all at once.
        var hosts = new List<Microsoft.Extensions.Hosting.IHost>();
        for (var i = 0; i < 4; i++)
        {
            hosts.Add(db.BuildLibrary());
        }

        try
        {
            var applied = await Task.WhenAll(hosts.Select(h => Task.Run(() => h.Services.GetRequiredService<Migrator>().MigrateAsync())));

            Assert.Equal(Migrator.Scripts(db.Provider).Count(), applied.Sum());
            Assert.Single(applied, a => a > 0);
            await using var connection = await hosts[0].Services.GetRequiredService<StoreDatabase>().OpenAsync();
            var versions = await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version");
            Assert.Equal(Migrator.Scripts(db.Provider).Select(s => s.Version), versions);
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_lock WHERE holder IS NOT NULL"));
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    [Fact]
    public async Task Causal_reads_make_every_mariadb_session_wait_for_the_cluster()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.MariaDb);
        using var host = await db.StartLibraryAsync(("StoreMonitoring:Database:CausalReads", "true"));
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT @@SESSION.wsrep_sync_wait"));

        using var plain = await db.StartLibraryAsync();
        await using var other = await plain.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        Assert.Equal(0, await other.ExecuteScalarAsync<long>("SELECT @@SESSION.wsrep_sync_wait"));
    }
}
