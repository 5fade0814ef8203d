using System.Net;
using MySqlConnector;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>A database server that cannot be reached (a cluster node down) is a 503 to try again, not a 500.</summary>
public sealed class UnreachableDatabaseTests
{
    [Fact]
    public async Task Requests_answer_503_with_problem_details_while_the_server_is_down()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.MariaDb);
        // Nothing listens on port 1 of this machine: the connection is refused at once.
        var down = new MySqlConnectionStringBuilder(db.ConnectionString) { Port = 1, ConnectionTimeout = 2 }.ConnectionString;
        await using var app = new StoreMonitoringApp(db.Settings(
            ("ConnectionStrings:StoreMonitoring", down), ("StoreMonitoring:Database:MigrateOnStart", "false"), ("StoreMonitoring:Database:CheckOnStart", "false"), ("StoreMonitoring:Reports:RunWorker", "false")));
        var client = app.CreateClient();

        foreach (var path in new[] { "/reports", "/stores/some-store", $"/get_report?report_id={Guid.NewGuid()}" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("127.0.0.1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
