using System.Net;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Galera;

/// <summary>One instance on a SQLite file with the same data imported through the API: what the cluster's reports must equal byte for byte.</summary>
internal sealed class SqliteReference : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly StoreMonitoringApp _app;
    private readonly HttpClient _client;

    private SqliteReference(TestDatabase database, StoreMonitoringApp app)
    {
        _database = database;
        _app = app;
        _client = app.CreateClient();
    }

    public static async Task<SqliteReference> StartAsync(int stores)
    {
        var database = await TestDatabase.CreateAsync(Engine.Sqlite);
        InputData.WriteAll(database.Folder.Sub("data"), stores);
        var reference = new SqliteReference(database, new StoreMonitoringApp(database.Settings()));
        Assert.Equal(HttpStatusCode.OK, (await reference._client.PostAsync("/import_data", null)).StatusCode);
        return reference;
    }

    /// <summary>The CSV of a report triggered with <paramref name="query"/> (e.g. <c>?method=ratio</c>).</summary>
    public async Task<string> CsvAsync(string query)
    {
        var reportId = await _client.TriggerAsync(query);
        return await GaleraReports.CsvAsync(_client, reportId);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }
}
