using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StoreMonitoring.Alerts;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Alerts;

/// <summary><c>store.stale</c>: open stores only, after <c>StaleAfter</c>, once per episode, on the injected clock.</summary>
public sealed class StaleStoreTests
{
    // 22:00 in Chicago (CDT) on Monday 14 October 2024.
    private static readonly DateTimeOffset Now = new(2024, 10, 15, 3, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Open_stores_silent_for_longer_than_stale_after_raise_one_event_per_episode(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var services = host.Services;
        var database = services.GetRequiredService<StoreDatabase>();
        var webhookId = await IncidentAlertTests.SubscribeAsync(host, events: ["store.stale"]);
        var time = new FakeTimeProvider(Now);
        var check = new StaleStoreCheck(database, services.GetRequiredService<WebhookOutbox>(), services.GetRequiredService<IOptionsMonitor<WebhookOptions>>(), time);

        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO stores (store_key, store_id) VALUES (1, 'open-all-day'), (2, 'closed-at-night'), (3, 'fresh')");
            await connection.ExecuteAsync("INSERT INTO store_timezones (store_key, timezone_str) VALUES (1, 'America/Chicago'), (2, 'America/Chicago'), (3, 'America/Chicago')");
            foreach (var day in Enumerable.Range(0, 7))
            {
                await connection.ExecuteAsync("INSERT INTO business_hours (store_key, day_of_week, start_local, end_local) VALUES (2, @day, '09:00:00', '17:00:00')", new { day });
            }

            await PollAsync(connection, 1, Now.AddHours(-4));
            await PollAsync(connection, 2, Now.AddHours(-5));
            await PollAsync(connection, 3, Now.AddHours(-1));
        }

        Assert.Equal(1, await check.RunAsync());
        Assert.Equal(0, await check.RunAsync());
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await check.RunAsync());

        // A poll ends the episode; silence after it starts a new one.
        await using (var connection = await database.OpenAsync())
        {
            await PollAsync(connection, 1, time.GetUtcNow());
        }

        Assert.Equal(0, await check.RunAsync());
        time.Advance(TimeSpan.FromHours(3.5));
        // The new episode, and the store that was fresh at first and has now been silent for 5.5 hours.
        Assert.Equal(2, await check.RunAsync());

        await using var read = await database.OpenAsync();
        var payloads = (await read.QueryAsync<string>("SELECT payload FROM webhook_deliveries WHERE webhook_id = @webhookId ORDER BY created_at_us", new { webhookId })).ToList();
        Assert.Equal(3, payloads.Count);
        Assert.DoesNotContain(payloads, p => p.Contains("closed-at-night", StringComparison.Ordinal));
        var first = System.Text.Json.JsonDocument.Parse(payloads[0]).RootElement;
        Assert.Equal("store.stale", first.GetProperty("type").GetString());
        var data = first.GetProperty("data");
        Assert.Equal("open-all-day", data.GetProperty("store_id").GetString());
        Assert.Equal("2024-10-14T23:00:00Z", data.GetProperty("last_poll").GetString());
        Assert.Equal("2024-10-14T18:00:00-05:00", data.GetProperty("last_poll_local").GetString());
        Assert.Equal(240, data.GetProperty("minutes_since_last_poll").GetDouble());
    }

    private static Task<int> PollAsync(System.Data.Common.DbConnection connection, int store, DateTimeOffset at) =>
        connection.ExecuteAsync("INSERT INTO store_status (store_key, observed_at_us, active) VALUES (@store, @at, 1)", new { store, at = UnixMicros.FromDateTimeOffset(at) });
}
