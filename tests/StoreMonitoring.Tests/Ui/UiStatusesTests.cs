using System.Text.RegularExpressions;
using StoreMonitoring.Reports;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Ui;

/// <summary>The dashboard's copy of the report statuses (<c>ui/statuses.js</c>) is the library's mapping, status for status.</summary>
public sealed partial class UiStatusesTests
{
    [Fact]
    public async Task The_dashboards_report_statuses_are_the_ones_the_API_shows()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using var app = new StoreMonitoringApp(db.Settings());
        var module = await app.CreateClient().GetStringAsync("/ui/statuses.js");

        var shown = Entry().Matches(module).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["name"].Value);
        Assert.Equal(
            ReportStatuses.Stored.All.ToDictionary(s => s.Status.ToString().ToLowerInvariant(), s => s.Stored),
            shown);
    }

    [GeneratedRegex(@"^\s*(?<key>\w+): '(?<name>[^']*)',", RegexOptions.Multiline)]
    private static partial Regex Entry();
}
