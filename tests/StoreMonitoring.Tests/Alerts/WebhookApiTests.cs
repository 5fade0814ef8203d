using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>Subscriptions through the real HTTP pipeline: bounded input, the secret shown once, SSRF refusal, a signed test event.</summary>
public sealed class WebhookApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_subscription_shows_its_secret_once_and_can_be_listed_read_and_deleted(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:RunWorker", "false"))));
        var client = app.CreateClient();

        var created = await client.PostAsJsonAsync("/webhooks", new { url = "http://127.0.0.1:18499/x", events = new[] { "store.down", "report.completed" }, store_ids = new[] { "s1", "s2" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        var id = body.GetProperty("webhook_id").GetString()!;
        Assert.Equal($"/webhooks/{id}", created.Headers.Location?.OriginalString);
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.Equal(60, body.GetProperty("min_minutes").GetInt32());

        var listed = await (await client.GetAsync("/webhooks")).JsonAsync();
        var only = Assert.Single(listed.GetProperty("webhooks").EnumerateArray());
        Assert.Equal(id, only.GetProperty("webhook_id").GetString());
        Assert.False(only.TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret, listed.GetRawText(), StringComparison.Ordinal);

        var one = await (await client.GetAsync($"/webhooks/{id}")).JsonAsync();
        Assert.Equal(["s1", "s2"], one.GetProperty("store_ids").EnumerateArray().Select(e => e.GetString()));
        Assert.True(one.GetProperty("enabled").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/webhooks/not-an-id/deliveries")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Bad_subscriptions_get_a_problem_naming_each_wrong_field(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:RunWorker", "false"))));
        var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/webhooks", new
        {
            url = "ftp://example.com/x",
            events = new[] { "store.down", "store.exploded" },
            store_ids = Enumerable.Range(0, 1001).Select(i => $"s{i}").ToArray(),
            min_minutes = 10081,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Equal(["events", "min_minutes", "store_ids", "url"], errors.EnumerateObject().Select(p => p.Name).Order());

        var tooLong = await client.PostAsJsonAsync("/webhooks", new { url = "http://127.0.0.1/" + new string('a', 2100), events = new[] { "store.down" } });
        Assert.Contains("2048", (await tooLong.JsonAsync()).GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        var noEvents = await client.PostAsJsonAsync("/webhooks", new { url = "http://127.0.0.1/", events = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, noEvents.StatusCode);
        Assert.Empty((await (await client.GetAsync("/webhooks")).JsonAsync()).GetProperty("webhooks").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Loopback_private_and_link_local_destinations_are_refused_by_default(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Webhooks:RunWorker", "false")));
        var client = app.CreateClient();

        foreach (var url in new[] { "http://127.0.0.1:18499/hook", "http://localhost/hook", "http://10.1.2.3/", "http://192.168.0.10/", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/" })
        {
            var response = await client.PostAsJsonAsync("/webhooks", new { url, events = new[] { "store.down" } });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("AllowPrivateNetworks", (await response.JsonAsync()).GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        }

        Assert.Empty((await (await client.GetAsync("/webhooks")).JsonAsync()).GetProperty("webhooks").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_test_event_arrives_signed_and_its_delivery_is_listed(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.Fast));
        var client = app.CreateClient();
        var (id, _) = await Hooks.SubscribeAsync(client, receiver);

        var deliveryId = await Hooks.SendTestAsync(client, id);
        var received = Assert.Single(await receiver.WaitForAsync(1));
        Assert.True(received.Verified);
        Assert.Equal(deliveryId, received.Id);
        Assert.StartsWith("v1,", received.Signature, StringComparison.Ordinal);
        var payload = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("webhook.test", payload.GetProperty("type").GetString());
        Assert.Equal(id, payload.GetProperty("data").GetProperty("webhook_id").GetString());
        Assert.True(DateTimeOffset.TryParse(payload.GetProperty("timestamp").GetString(), out _));

        var delivery = await Hooks.WaitForStatusAsync(client, id, deliveryId, "delivered");
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivery.GetProperty("last_response_code").GetInt32());
        Assert.True(delivery.TryGetProperty("last_attempt_at", out _));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Every_webhook_endpoint_needs_the_write_scope(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var keys = new ApiKeys();
        await using var app = new StoreMonitoringApp(db.Settings([.. keys.Settings, ("StoreMonitoring:Webhooks:RunWorker", "false")]));
        var client = app.CreateClient();
        var id = Guid.CreateVersion7().ToString();
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/webhooks"), (HttpMethod.Post, "/webhooks"), (HttpMethod.Get, $"/webhooks/{id}"), (HttpMethod.Delete, $"/webhooks/{id}"), (HttpMethod.Post, $"/webhooks/{id}/test"), (HttpMethod.Get, $"/webhooks/{id}/deliveries") })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiKeys.Request(method, path))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(ApiKeys.Request(method, path, bearer: keys.Read))).StatusCode);
        }

        var request = ApiKeys.Request(HttpMethod.Post, "/webhooks", bearer: keys.Write);
        request.Content = JsonContent.Create(new { url = "http://127.0.0.1:18499/x", events = new[] { "store.down" } });
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/webhooks", bearer: keys.Write))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(ApiKeys.Request(HttpMethod.Get, $"/webhooks/{id}/deliveries", header: keys.Write))).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_webhook_response()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Webhooks:RunWorker", "false")));
        var document = await (await app.CreateClient().GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/webhooks", "post"), ("/webhooks", "get"), ("/webhooks/{id}", "get"), ("/webhooks/{id}/test", "post"), ("/webhooks/{id}/deliveries", "get") })
        {
            foreach (var response in paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject())
            {
                Assert.True(response.Value.TryGetProperty("content", out var content), $"{method} {path} {response.Name} has no content");
                Assert.All(content.EnumerateObject(), c => Assert.True(c.Value.TryGetProperty("schema", out _), $"{method} {path} {response.Name} has no schema"));
            }
        }
    }
}
