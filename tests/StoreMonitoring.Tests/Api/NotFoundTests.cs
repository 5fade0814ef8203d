using System.Net;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>Every 404 (and 405) is problem details with a <c>detail</c> saying what was asked.</summary>
public sealed class NotFoundTests
{
    [Theory]
    [InlineData("GET", "/no/such/endpoint", "Nothing at GET /no/such/endpoint")]
    [InlineData("GET", "/ui/no-such-file.js", "Nothing at GET /ui/no-such-file.js")]
    [InlineData("GET", "/stores/no-such-store", "No store with id 'no-such-store'.")]
    [InlineData("GET", "/get_report?report_id=00000000-0000-0000-0000-000000000000", "No report with id 00000000-0000-0000-0000-000000000000.")]
    [InlineData("POST", "/webhooks/00000000-0000-0000-0000-000000000000/test", "No webhook with id 00000000-0000-0000-0000-000000000000.")]
    [InlineData("DELETE", "/", "/ does not take DELETE")]
    public async Task Every_404_and_405_has_a_detail(string method, string path, string detail)
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using var app = new StoreMonitoringApp(db.Settings());
        var response = await app.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(detail, (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
