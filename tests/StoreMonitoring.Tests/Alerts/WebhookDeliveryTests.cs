using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Alerts;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>Delivery by the Standard Webhooks rules, through failures, restarts and several instances, to a real receiver.</summary>
public sealed class WebhookDeliveryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_receiver_failing_twice_gets_one_event_in_three_attempts_with_one_webhook_id(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => (n < 2 ? 500 : 200, null, TimeSpan.Zero);
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.Fast));
        var client = app.CreateClient();
        var outcomes = new ConcurrentQueue<string>();
        using var listener = ListenToDeliveries(app.Services.GetRequiredService<IMeterFactory>(), outcomes);
        var (id, _) = await Hooks.SubscribeAsync(client, receiver);

        var deliveryId = await Hooks.SendTestAsync(client, id);
        var delivery = await Hooks.WaitForStatusAsync(client, id, deliveryId, "delivered");

        var received = receiver.Received;
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal(deliveryId, r.Id));
        Assert.All(received, r => Assert.True(r.Verified));
        Assert.Single(received.Select(r => r.Body).Distinct());
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivery.GetProperty("last_response_code").GetInt32());
        Assert.Equal(["delivered", "retrying", "retrying"], outcomes.Order());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Retry_after_from_the_receiver_is_waited_for_even_when_the_schedule_is_shorter(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n == 0 ? (503, 2, TimeSpan.Zero) : (200, null, TimeSpan.Zero);
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.Fast));
        var client = app.CreateClient();
        var (id, _) = await Hooks.SubscribeAsync(client, receiver);

        await Hooks.SendTestAsync(client, id);
        var received = await receiver.WaitForAsync(2);
        var gap = Stopwatch.GetElapsedTime(received[0].ReceivedAt, received[1].ReceivedAt);
        Assert.True(gap >= TimeSpan.FromSeconds(1.9), $"The second attempt came {gap.TotalSeconds:0.00} s after the first; the receiver asked for 2 s (the schedule says 0.1 s).");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Gone_disables_the_subscription_and_cancels_what_it_has_pending(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (410, null, TimeSpan.Zero);
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.Fast));
        var client = app.CreateClient();
        var (id, _) = await Hooks.SubscribeAsync(client, receiver);

        var first = await Hooks.SendTestAsync(client, id);
        var failed = await Hooks.WaitForStatusAsync(client, id, first, "failed");
        Assert.Equal(410, failed.GetProperty("last_response_code").GetInt32());
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        var subscription = await (await client.GetAsync($"/webhooks/{id}")).JsonAsync();
        Assert.False(subscription.GetProperty("enabled").GetBoolean());
        Assert.Contains("410", subscription.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/webhooks/{id}/test", null)).StatusCode);
        await Task.Delay(300);
        Assert.Single(receiver.Received);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_private_destination_is_refused_at_send_time_too(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        string id, deliveryId;
        // Subscribed where private networks were allowed, delivered where they are not.
        await using (var permissive = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:RunWorker", "false")))))
        {
            var client = permissive.CreateClient();
            (id, _) = await Hooks.SubscribeAsync(client, receiver);
            deliveryId = await Hooks.SendTestAsync(client, id);
        }

        await using var strict = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:AllowPrivateNetworks", "false"))));
        var strictClient = strict.CreateClient();
        var deadline = Stopwatch.StartNew();
        System.Text.Json.JsonElement delivery;
        do
        {
            await Task.Delay(50);
            delivery = (await Hooks.DeliveriesAsync(strictClient, id)).Single();
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "No attempt was made.");
        }
        while (delivery.GetProperty("attempts").GetInt32() == 0 || delivery.GetProperty("status").GetString() == "sending");

        Assert.Equal(deliveryId, delivery.GetProperty("delivery_id").GetString());
        Assert.Contains("non-public", delivery.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.False(delivery.TryGetProperty("last_response_code", out _));
        Assert.Empty(receiver.Received);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_service_stopped_with_deliveries_pending_delivers_each_once_after_a_restart(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        // Slow answers keep attempts in flight when the service stops.
        receiver.Answer = _ => (200, null, TimeSpan.FromMilliseconds(250));
        const int events = 12;
        string id;
        var queued = new List<string>();
        await using (var first = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:MaxConcurrentDeliveries", "2")))))
        {
            var client = first.CreateClient();
            (id, _) = await Hooks.SubscribeAsync(client, receiver);
            for (var i = 0; i < events; i++)
            {
                queued.Add(await Hooks.SendTestAsync(client, id));
            }

            await receiver.WaitForAsync(1);
        }

        var beforeRestart = receiver.Received.Count;
        Assert.InRange(beforeRestart, 1, events - 1);
        await using var second = new StoreMonitoringApp(db.Settings(Hooks.Fast));
        var secondClient = second.CreateClient();
        var received = await receiver.WaitForAsync(events);
        await Task.Delay(500);

        Assert.Equal(events, receiver.Received.Count);
        Assert.Equal(queued.Order(), received.Select(r => r.Id).Order());
        Assert.All(await Hooks.DeliveriesAsync(secondClient, id), d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Two_instances_on_one_database_deliver_every_event_exactly_once(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (200, null, TimeSpan.FromMilliseconds(20));
        await using var one = new StoreMonitoringApp(db.Settings(Hooks.Fast));
        await using var two = new StoreMonitoringApp(db.Settings(Hooks.Fast));
        var clients = new[] { one.CreateClient(), two.CreateClient() };
        var (id, _) = await Hooks.SubscribeAsync(clients[0], receiver);

        const int events = 40;
        var queued = new List<string>();
        for (var i = 0; i < events; i++)
        {
            queued.Add(await Hooks.SendTestAsync(clients[i % 2], id));
        }

        await receiver.WaitForAsync(events);
        await Task.Delay(500);
        Assert.Equal(queued.Order(), receiver.Received.Select(r => r.Id).Order());
        Assert.All(receiver.Received, r => Assert.True(r.Verified));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_delivery_whose_worker_died_while_sending_is_taken_over_when_its_lease_runs_out(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.Fast));
        var client = app.CreateClient();
        var (id, _) = await Hooks.SubscribeAsync(client, receiver);
        var database = app.Services.GetRequiredService<StoreDatabase>();
        string deliveryId;
        await using (var connection = await database.OpenAsync())
        {
            // What a process killed mid-attempt leaves behind: a row it claimed, with a lease that has run out.
            // One transaction, so the live worker never sees the row while it is still pending.
            await using var transaction = await connection.BeginTransactionAsync();
            deliveryId = app.Services.GetRequiredService<WebhookOutbox>().Enqueue(connection, transaction, id, "webhook.test", "dead-worker", "{\"type\":\"webhook.test\"}")!;
            await connection.ExecuteAsync(
                "UPDATE webhook_deliveries SET status = 'sending', worker = 'dead', attempts = 1, due_at_us = 0 WHERE delivery_id = @deliveryId", new { deliveryId }, transaction);
            await transaction.CommitAsync();
        }

        var received = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal(deliveryId, received.Id);
        var delivery = await Hooks.WaitForStatusAsync(client, id, deliveryId, "delivered");
        Assert.Equal(2, delivery.GetProperty("attempts").GetInt32());
    }

    private static MeterListener ListenToDeliveries(IMeterFactory factory, ConcurrentQueue<string> outcomes)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "storemon.webhooks.deliveries")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcomes.Enqueue((string)tag.Value!);
                }
            }
        });
        listener.Start();
        return listener;
    }
}
