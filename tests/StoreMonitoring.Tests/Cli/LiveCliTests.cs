using System.Globalization;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Cli;

/// <summary><c>storemon store</c> and <c>storemon incidents</c> say what the API says.</summary>
public sealed class LiveCliTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Store_and_incidents_print_the_apis_figures(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        InputData.WriteAll(data, stores: 6, seed: 4);
        Assert.Equal(0, (await Storemon.RunAsync(db, db.Folder.Path, "import", data)).ExitCode);

        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        var storeId = InputData.StoreId(2);
        var page = await (await client.GetAsync($"/stores/{storeId}?method=ratio")).JsonAsync();
        var store = await Storemon.RunAsync(db, db.Folder.Path, "store", storeId, "--method", "ratio");
        Assert.True(store.ExitCode == 0, store.Error);
        Assert.Contains($"state      {page.GetProperty("state").GetString()}", store.Output, StringComparison.Ordinal);
        var week = store.Output.Split('\n').Single(l => l.StartsWith("last week", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var json = page.GetProperty("last_week");
        Assert.Equal(json.GetProperty("estimated_uptime").GetDouble(), double.Parse(week[7], CultureInfo.InvariantCulture));
        Assert.Equal(json.GetProperty("business").GetDouble(), double.Parse(week[6], CultureInfo.InvariantCulture));

        var incidents = await (await client.GetAsync("/incidents?limit=500")).JsonAsync();
        var listed = await Storemon.RunAsync(db, db.Folder.Path, "incidents", "--limit", "500");
        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Contains($"{incidents.GetProperty("incidents").GetArrayLength()} incident(s)", listed.Output, StringComparison.Ordinal);
        var open = await (await client.GetAsync($"/incidents?open=true&store_id={storeId}")).JsonAsync();
        var openListed = await Storemon.RunAsync(db, db.Folder.Path, "incidents", "--open", "--store", storeId);
        Assert.Contains($"{open.GetProperty("incidents").GetArrayLength()} incident(s)", openListed.Output, StringComparison.Ordinal);

        var missing = await Storemon.RunAsync(db, db.Folder.Path, "store", "no-such-store");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no store with id", missing.Error, StringComparison.Ordinal);
    }
}
