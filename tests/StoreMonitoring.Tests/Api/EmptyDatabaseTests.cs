using System.Net;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>A report before any import says what to do instead of computing one "as of 1970".</summary>
public sealed class EmptyDatabaseTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_default_report_on_an_empty_database_is_409_saying_import_first(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 2);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        var refused = await client.PostAsync("/trigger_report", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.JsonAsync();
        Assert.StartsWith("no polls imported yet: import first", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await (await client.GetAsync("/reports")).JsonAsync()).GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/trigger_report", null)).StatusCode);
    }
}
