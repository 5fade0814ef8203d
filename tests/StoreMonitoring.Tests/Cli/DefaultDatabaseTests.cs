using System.Globalization;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Cli;

/// <summary>With nothing configured, the service and <c>storemon</c> use one database, wherever each is started.</summary>
public sealed class DefaultDatabaseTests
{
    [Fact]
    public async Task Storemon_and_the_service_agree_about_a_store_by_default()
    {
        using var folder = new TempDirectory();
        var userData = Path.Combine(folder.Path, "user-data");
        var data = folder.Sub("data");
        InputData.WriteAll(data, stores: 4, seed: 3);
        var environment = new Dictionary<string, string> { ["XDG_DATA_HOME"] = userData, ["StoreMonitoring__DataDirectory"] = data };

        await using (var service = await ServiceProcess.StartAsync(Directory.CreateDirectory(Path.Combine(folder.Path, "service-dir")).FullName, environment))
        {
            using var client = new HttpClient { BaseAddress = service.Address };
            Assert.True((await client.PostAsync("/import_data", null)).IsSuccessStatusCode);
            var storeId = InputData.StoreId(1);
            var page = await (await client.GetAsync($"/stores/{storeId}")).JsonAsync();

            // Another directory, no connection string: the same file.
            var cliEnvironment = new Dictionary<string, string> { ["XDG_DATA_HOME"] = userData };
            var store = await Storemon.RunAsync(cliEnvironment, Directory.CreateDirectory(Path.Combine(folder.Path, "elsewhere")).FullName, "store", storeId);
            Assert.True(store.ExitCode == 0, store.Error);
            var week = store.Output.Split('\n').Single(l => l.StartsWith("last week", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(page.GetProperty("last_week").GetProperty("estimated_uptime").GetDouble(), double.Parse(week[7], CultureInfo.InvariantCulture));
            Assert.Contains($"state      {page.GetProperty("state").GetString()}", store.Output, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(userData, "storemonitoring", "storemonitoring.db")));
    }
}
