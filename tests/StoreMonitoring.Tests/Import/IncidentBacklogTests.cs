using System.Data.Common;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Import;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Import;

/// <summary>
/// An import commits its polls first and recomputes its stores' incidents after, recording in the
/// same commit which stores it owes: a crash in between leaves no store's incidents behind.
/// </summary>
public sealed class IncidentBacklogTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Incidents_an_interrupted_import_owed_are_recomputed_when_the_service_starts(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 6);
        await using (var app = new StoreMonitoringApp(db.Settings()))
        {
            await app.CreateClient().ImportAsync();
        }

        await using var connection = await db.OpenAsync();
        var expected = await IncidentsAsync(connection);
        await CrashBeforeTheIncidentTurnsAsync(connection);

        await using (var app = new StoreMonitoringApp(db.Settings()))
        {
            // The host starts with its first client; its housekeeping runs at once.
            Assert.Equal(System.Net.HttpStatusCode.OK, (await app.CreateClient().GetAsync("/")).StatusCode);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM incident_backlog") > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the backlog was not settled within 30 s of the start");
                await Task.Delay(100);
            }
        }

        Assert.Equal(expected, await IncidentsAsync(connection));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_next_import_settles_what_an_interrupted_one_owed(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 6);
        using var host = await db.StartLibraryAsync();
        var importer = host.Services.GetRequiredService<DataImporter>();
        await importer.ImportAsync(db.Folder.Sub("data"));
        await using var connection = await db.OpenAsync();
        var expected = await IncidentsAsync(connection);
        await CrashBeforeTheIncidentTurnsAsync(connection);

        // A file that touches no store: only the backlog makes the incidents come back.
        var empty = db.Folder.Sub("empty");
        Directory.CreateDirectory(empty);
        InputData.Write(Path.Combine(empty, "timezones.csv"), "store_id,timezone_str\n");
        await importer.ImportAsync(empty);

        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM incident_backlog"));
        Assert.Equal(expected, await IncidentsAsync(connection));
    }

    /// <summary>What a crash between an import's commit and its incident turns leaves: the polls, no incidents, the stores owed.</summary>
    private static async Task CrashBeforeTheIncidentTurnsAsync(DbConnection connection)
    {
        await connection.ExecuteAsync("DELETE FROM incidents");
        await connection.ExecuteAsync("INSERT INTO incident_backlog (store_key) SELECT store_key FROM stores");
    }

    private static async Task<List<(long Store, long Start, long? End, long Down)>> IncidentsAsync(DbConnection connection)
    {
        var incidents = (await connection.QueryAsync<(long, long, long?, long)>(
            "SELECT store_key, start_us, end_us, down_us FROM incidents ORDER BY store_key, start_us")).ToList();
        Assert.NotEmpty(incidents);
        return incidents;
    }
}
