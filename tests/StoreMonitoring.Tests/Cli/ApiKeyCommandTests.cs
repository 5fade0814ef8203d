using System.Net;
using System.Text.RegularExpressions;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Cli;

public sealed partial class ApiKeyCommandTests
{
    [Fact]
    public async Task A_created_key_works_with_the_configuration_lines_it_prints()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var result = await Storemon.RunAsync(db, db.Folder.Path, "apikey", "create", "--name", "ops", "--scope", "write");
        Assert.True(result.ExitCode == 0, result.Error);

        var key = KeyLine().Match(result.Output).Groups[1].Value;
        Assert.Equal(4 + 43, key.Length);
        var settings = SettingLine().Matches(result.Output).Select(m => (m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal), (string?)m.Groups[2].Value)).ToArray();
        Assert.Equal(3, settings.Length);
        Assert.DoesNotContain(settings, s => s.Item2!.Contains(key, StringComparison.Ordinal));

        await using var app = new StoreMonitoringApp(db.Settings(settings));
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/trigger_report", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Post, "/trigger_report?now=2024-10-10T12:00:00Z", bearer: key))).StatusCode);

        var other = await Storemon.RunAsync(db, db.Folder.Path, "apikey", "create", "--name", "ops", "--scope", "write");
        Assert.NotEqual(key, KeyLine().Match(other.Output).Groups[1].Value);
        Assert.Equal(2, (await Storemon.RunAsync(db, db.Folder.Path, "apikey", "create", "--name", "x", "--scope", "admin")).ExitCode);
    }

    [GeneratedRegex(@"^\s+(smk_[A-Za-z0-9_-]+)$", RegexOptions.Multiline)]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^(StoreMonitoring__Auth__Keys__0__\w+)=(.+)$", RegexOptions.Multiline)]
    private static partial Regex SettingLine();
}
