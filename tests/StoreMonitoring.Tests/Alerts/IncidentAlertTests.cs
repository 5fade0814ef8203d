using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StoreMonitoring.Alerts;
using StoreMonitoring.Incidents;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>
/// The business-hours rules, through the observer the incident updater calls: snapshots before and
/// after a change go in, outbox rows come out, in the caller's transaction.
/// </summary>
/// <remarks>
/// The numbers follow hourly polls and the estimator's 25-minute reach: a lone inactive poll
/// gives about 50 minutes of downtime, two in a row an hour apart 110. Incidents hold business
/// time only, so an outage while the store is closed arrives here as an incident whose down
/// time excludes the closed hours.
/// </remarks>
public sealed class IncidentAlertTests
{
    private static readonly long Start = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2024, 10, 14, 13, 35, 0, TimeSpan.Zero));

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_lone_inactive_poll_raises_nothing(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var webhook = await SubscribeAsync(host);

        await ChangeAsync(host, (null, Incident("i1", down: 50)));
        await ChangeAsync(host, (Incident("i1", down: 50), Incident("i1", down: 50, ended: true)));

        Assert.Empty(await EventsAsync(host, webhook));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Two_inactive_polls_an_hour_apart_raise_store_down_once_then_store_recovered(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var webhook = await SubscribeAsync(host);

        await ChangeAsync(host, (null, Incident("i1", down: 50)));
        Assert.Empty(await EventsAsync(host, webhook));
        await ChangeAsync(host, (Incident("i1", down: 50), Incident("i1", down: 110, polls: 2)));
        // The same change seen again (a recomputation, or a second instance) queues nothing new.
        await ChangeAsync(host, (Incident("i1", down: 110, polls: 2), Incident("i1", down: 110, polls: 2)));
        var down = Assert.Single(await EventsAsync(host, webhook));
        Assert.Equal("store.down", down.Type);
        var data = down.Payload.GetProperty("data");
        Assert.Equal("store-1", data.GetProperty("store_id").GetString());
        Assert.Equal("i1", data.GetProperty("incident_id").GetString());
        Assert.Equal("2024-10-14T13:35:00Z", data.GetProperty("start").GetString());
        Assert.Equal("2024-10-14T09:35:00-04:00", data.GetProperty("start_local").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("end").ValueKind);
        Assert.Equal(110, data.GetProperty("duration_minutes").GetDouble());
        Assert.Equal(60, data.GetProperty("min_minutes").GetInt32());

        await ChangeAsync(host, (Incident("i1", down: 110, polls: 2), Incident("i1", down: 110, polls: 2, ended: true)));
        var events = await EventsAsync(host, webhook);
        Assert.Equal(["store.down", "store.recovered"], events.Select(e => e.Type));
        Assert.Equal("2024-10-14T15:25:00Z", events[1].Payload.GetProperty("data").GetProperty("end").GetString());
        Assert.Equal("2024-10-14T11:25:00-04:00", events[1].Payload.GetProperty("data").GetProperty("end_local").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Each_subscription_applies_its_own_threshold_stores_and_events(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var standard = await SubscribeAsync(host);
        var patient = await SubscribeAsync(host, minMinutes: 120);
        var otherStore = await SubscribeAsync(host, storeIds: ["store-2"]);
        var recoveriesOnly = await SubscribeAsync(host, events: ["store.recovered"]);
        var eager = await SubscribeAsync(host, minMinutes: 0);

        await ChangeAsync(host, (null, Incident("i1", down: 70, polls: 2)));
        await ChangeAsync(host, (Incident("i1", down: 70, polls: 2), Incident("i1", down: 70, polls: 2, ended: true)));

        Assert.Equal(["store.down", "store.recovered"], (await EventsAsync(host, standard)).Select(e => e.Type));
        Assert.Equal(["store.down", "store.recovered"], (await EventsAsync(host, eager)).Select(e => e.Type));
        Assert.Empty(await EventsAsync(host, patient));
        Assert.Empty(await EventsAsync(host, otherStore));
        // Recovered is sent only where store.down was: this subscription never asked for it.
        Assert.Empty(await EventsAsync(host, recoveriesOnly));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Closed_hours_history_and_rolled_back_changes_raise_nothing(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var webhook = await SubscribeAsync(host);

        // Down since three hours of wall time, of which 40 minutes fell in business hours.
        await ChangeAsync(host, (null, Incident("closed", down: 40, polls: 3)));
        // A five-hour incident that arrives already over (a file of history) is not news.
        await ChangeAsync(host, (null, Incident("history", down: 300, polls: 5, ended: true)));
        // The transaction that raised it rolled back: so did the event.
        await ChangeAsync(host, commit: false, (null, Incident("rolled-back", down: 120, polls: 2)));
        Assert.Empty(await EventsAsync(host, webhook));

        // A disappearing incident whose store.down was sent is reported recovered.
        await ChangeAsync(host, (null, Incident("corrected", down: 120, polls: 2)));
        await ChangeAsync(host, (Incident("corrected", down: 120, polls: 2), null));
        Assert.Equal(["store.down", "store.recovered"], (await EventsAsync(host, webhook)).Select(e => e.Type));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Finished_reports_and_imports_raise_their_events_for_subscribers_only(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var automation = await SubscribeAsync(host, events: ["report.completed", "import.completed"]);
        var alerts = await SubscribeAsync(host);
        var observer = host.Services.GetRequiredService<WebhookAlerts>();
        var summary = new StoreMonitoring.Import.ImportSummary(DateTimeOffset.UnixEpoch.AddYears(54), DateTimeOffset.UnixEpoch.AddYears(54).AddSeconds(3), "data", [], ["timezones.csv"]);

        await using (var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync())
        {
            observer.OnCompleted(connection, null, "0199c7a0-0000-7000-8000-000000000001", "interpolated", Start, 12);
            observer.OnCompleted(connection, null, "0199c7a0-0000-7000-8000-000000000001", "interpolated", Start, 12);
            observer.OnCompleted(connection, null, summary);
        }

        var events = await EventsAsync(host, automation);
        Assert.Equal(["import.completed", "report.completed"], events.Select(e => e.Type).Order());
        var report = events.Single(e => e.Type == "report.completed").Payload.GetProperty("data");
        Assert.Equal(12, report.GetProperty("stores").GetInt32());
        Assert.Equal(["timezones.csv"], events.Single(e => e.Type == "import.completed").Payload.GetProperty("data").GetProperty("missing_files").EnumerateArray().Select(f => f.GetString()));
        Assert.Empty(await EventsAsync(host, alerts));
    }

    internal static IncidentSnapshot Incident(string id, int down, int polls = 1, bool ended = false, string store = "store-1") =>
        new(id, 1, store, Start, ended ? Start + (down * UnixMicros.PerMinute) : null, down * UnixMicros.PerMinute, polls, "America/New_York");

    internal static async Task<string> SubscribeAsync(IHost host, string[]? events = null, string[]? storeIds = null, int minMinutes = 60) =>
        (await host.Services.GetRequiredService<WebhookSubscriptions>().CreateAsync("https://example.com/hook", events ?? ["store.down", "store.recovered"], storeIds, minMinutes)).WebhookId;

    internal static Task ChangeAsync(IServiceProvider services, params (IncidentSnapshot? Before, IncidentSnapshot? After)[] changes) =>
        ChangeAsync(services, commit: true, changes);

    private static Task ChangeAsync(IHost host, params (IncidentSnapshot? Before, IncidentSnapshot? After)[] changes) => ChangeAsync(host.Services, commit: true, changes);

    private static Task ChangeAsync(IHost host, bool commit, params (IncidentSnapshot? Before, IncidentSnapshot? After)[] changes) => ChangeAsync(host.Services, commit, changes);

    /// <summary>What the incident updater does: every registered observer, inside the transaction that changes incidents.</summary>
    private static async Task ChangeAsync(IServiceProvider services, bool commit, (IncidentSnapshot? Before, IncidentSnapshot? After)[] changes)
    {
        await using var connection = await services.GetRequiredService<StoreDatabase>().OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var observer in services.GetServices<IIncidentObserver>())
        {
            observer.OnChanged(connection, transaction, changes);
        }

        if (commit)
        {
            await transaction.CommitAsync();
        }
        else
        {
            await transaction.RollbackAsync();
        }
    }

    private static async Task<List<(string Type, JsonElement Payload)>> EventsAsync(IHost host, string webhookId)
    {
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        var rows = await connection.QueryAsync<(string, string)>(
            "SELECT event_type, payload FROM webhook_deliveries WHERE webhook_id = @webhookId ORDER BY created_at_us, delivery_id", new { webhookId });
        return [.. rows.Select(r => (r.Item1, JsonDocument.Parse(r.Item2).RootElement.Clone()))];
    }
}
