using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Storage;

/// <summary>
/// The one claim rule of report jobs, report shards and webhook deliveries, on a table of its own:
/// a row is claimed by one worker at a time, taken over with its attempt counted when its lease
/// runs out, and given up once its attempts are used.
/// </summary>
public sealed class LeasedQueueTests
{
    private static readonly StoredStatuses<ItemStatus> Statuses = new(
        (ItemStatus.Waiting, "waiting"), (ItemStatus.Held, "held"), (ItemStatus.Done, "done"), (ItemStatus.GaveUp, "gave_up"));

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private enum ItemStatus
    {
        Waiting,
        Held,
        Done,
        GaveUp,
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Concurrent_claimers_never_claim_the_same_row_twice(Engine engine)
    {
        await using var fixture = await Fixture.CreateAsync(engine, rows: 40);
        var claims = new ConcurrentBag<(string Item, string Worker)>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var worker = $"w{w}:1:{w}";
            // A claim that loses every candidate it looked at to the others finds nothing this time;
            // the loop stops only when the table has none left.
            while (await fixture.CountAsync(ItemStatus.Waiting) > 0)
            {
                if (await fixture.ClaimAsync(worker) is { } item)
                {
                    claims.Add((item.ItemId, worker));
                }
            }
        })));

        Assert.Equal(40, claims.Count);
        Assert.Equal(40, claims.Select(c => c.Item).Distinct().Count());
        var stored = (await fixture.RowsAsync()).ToDictionary(r => r.ItemId);
        Assert.All(claims, c => Assert.Equal((c.Worker, "held", 1L), (stored[c.Item].Worker, stored[c.Item].Status, stored[c.Item].Attempts)));
        Assert.Null(await fixture.ClaimAsync("late:1:a"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task An_expired_lease_is_claimed_again_with_its_attempt_counted_and_the_old_holder_loses_it(Engine engine)
    {
        await using var fixture = await Fixture.CreateAsync(engine, rows: 1);
        var first = await fixture.ClaimAsync("dead:1:a");
        Assert.Equal(1, first?.Attempts);
        Assert.Null(await fixture.ClaimAsync("live:2:b"));

        // A lease holds through its last microsecond.
        fixture.Clock.Advance(Lease);
        Assert.Null(await fixture.ClaimAsync("live:2:b"));
        fixture.Clock.Advance(TimeSpan.FromMicroseconds(1));
        var taken = await fixture.ClaimAsync("live:2:b", takingOver: ["item-0"]);
        Assert.Equal(("item-0", 2L), (taken?.ItemId, taken?.Attempts));

        Assert.False(await fixture.Queue.RenewAsync(new { itemId = "item-0" }, "dead:1:a", Lease, CancellationToken.None));
        Assert.True(await fixture.Queue.RenewAsync(new { itemId = "item-0" }, "live:2:b", Lease, CancellationToken.None));
        var row = Assert.Single(await fixture.RowsAsync());
        Assert.Equal(("live:2:b", "held", 2L), (row.Worker, row.Status, row.Attempts));
        Assert.Equal(UnixMicros.FromDateTimeOffset(fixture.Clock.GetUtcNow() + Lease), row.LeaseUntilUs);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_row_whose_workers_keep_dying_is_given_up_once_its_attempts_are_used(Engine engine)
    {
        await using var fixture = await Fixture.CreateAsync(engine, rows: 2);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Equal(("item-0", (long)attempt), ((await fixture.ClaimAsync($"dead:{attempt}:a"))?.ItemId, (await fixture.RowsAsync()).Single(r => r.ItemId == "item-0").Attempts));
            if (attempt == 1)
            {
                // The second row is finished by its worker; it is never a candidate again.
                Assert.Equal("item-1", (await fixture.ClaimAsync("good:1:a"))?.ItemId);
                await fixture.FinishAsync("item-1", "good:1:a");
            }

            fixture.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        }

        Assert.Null(await fixture.ClaimAsync("next:4:a", maxAttempts: 3));
        var rows = (await fixture.RowsAsync()).ToDictionary(r => r.ItemId);
        Assert.Equal(("gave_up", 3L), (rows["item-0"].Status, rows["item-0"].Attempts));
        Assert.Equal(("done", 1L), (rows["item-1"].Status, rows["item-1"].Attempts));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_handed_back_row_is_claimable_at_once_without_its_attempt_and_a_due_row_waits_for_its_time(Engine engine)
    {
        await using var fixture = await Fixture.CreateAsync(engine, rows: 1);
        Assert.NotNull(await fixture.ClaimAsync("stopping:1:a"));
        await using (var connection = await fixture.Database.OpenAsync())
        {
            Assert.False(await fixture.Queue.HandBackAsync(connection, new { itemId = "item-0" }, "other:2:b"));
            Assert.True(await fixture.Queue.HandBackAsync(connection, new { itemId = "item-0" }, "stopping:1:a"));
        }

        Assert.Equal(1, (await fixture.ClaimAsync("next:2:b"))?.Attempts);

        // A queue whose waiting rows are due at their lease column (webhook deliveries).
        await using var due = await Fixture.CreateAsync(engine, rows: 1, waitingIsDue: true, dueIn: TimeSpan.FromMinutes(1));
        Assert.Null(await due.ClaimAsync("early:1:a"));
        due.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await due.ClaimAsync("on-time:1:a"))?.Attempts);
    }

    [Fact]
    public void Every_status_has_one_stored_name_that_reads_back()
    {
        Assert.All(Statuses.All, s => Assert.Equal(s.Status, Statuses.Parse(s.Stored)));
        Assert.Equal("'gave_up'", Statuses.Sql(ItemStatus.GaveUp));
        Assert.Throws<InvalidOperationException>(() => Statuses.Parse("Waiting"));
        Assert.Throws<ArgumentException>(() => new StoredStatuses<ItemStatus>((ItemStatus.Waiting, "waiting")));
        Assert.Throws<ArgumentException>(() => new StoredStatuses<ItemStatus>(
            (ItemStatus.Waiting, "it's"), (ItemStatus.Held, "held"), (ItemStatus.Done, "done"), (ItemStatus.GaveUp, "gave_up")));
    }

    private sealed class Item
    {
        public string ItemId { get; init; } = "";

        public string Status { get; init; } = "";

        public string? Worker { get; init; }

        public long Attempts { get; init; }

        public long? LeaseUntilUs { get; init; }
    }

    private sealed class Fixture : IAsyncDisposable
    {
        private readonly TestDatabase _db;

        private Fixture(TestDatabase db, StoreDatabase database, FakeTimeProvider clock, LeasedQueue queue)
        {
            _db = db;
            Database = database;
            Clock = clock;
            Queue = queue;
        }

        public StoreDatabase Database { get; }

        public FakeTimeProvider Clock { get; }

        public LeasedQueue Queue { get; }

        public static async Task<Fixture> CreateAsync(Engine engine, int rows, bool waitingIsDue = false, TimeSpan dueIn = default)
        {
            var db = await TestDatabase.CreateAsync(engine);
            var database = new StoreDatabase(db.Dialect, db.ConnectionString);
            var clock = new FakeTimeProvider(new DateTimeOffset(2024, 10, 14, 12, 0, 0, TimeSpan.Zero));
            var table = LeasedTable.Of("leased_items", [("item_id", "itemId")], "lease_until_us", Statuses, ItemStatus.Waiting, ItemStatus.Held, waitingIsDue);
            await using (var connection = await database.OpenAsync())
            {
                await connection.ExecuteAsync("""
                    CREATE TABLE leased_items (
                        item_id VARCHAR(40) NOT NULL PRIMARY KEY, status VARCHAR(16) NOT NULL, worker VARCHAR(100) NULL,
                        lease_until_us BIGINT NULL, attempts INT NOT NULL, created_at_us BIGINT NOT NULL)
                    """);
                var due = waitingIsDue ? UnixMicros.FromDateTimeOffset(clock.GetUtcNow() + dueIn) : (long?)null;
                for (var i = 0; i < rows; i++)
                {
                    await connection.ExecuteAsync(
                        "INSERT INTO leased_items (item_id, status, lease_until_us, attempts, created_at_us) VALUES (@id, @status, @due, 0, @i)",
                        new { id = $"item-{i}", status = Statuses.Name(ItemStatus.Waiting), due, i });
                }
            }

            return new Fixture(db, database, clock, new LeasedQueue(database, clock, table));
        }

        public Task<Item?> ClaimAsync(string worker, int maxAttempts = 5, string[]? takingOver = null)
        {
            var seen = new List<string>();
            var claimed = Queue.TryClaimAsync(worker, Lease, maxAttempts, new ClaimSteps<Item, Item>
            {
                FindAsync = async (connection, now, ct) => await connection.QueryAsync<Item>(new CommandDefinition(
                    $"SELECT item_id AS ItemId, status AS Status, worker AS Worker, attempts AS Attempts, lease_until_us AS LeaseUntilUs FROM leased_items WHERE {Queue.Claimable()} ORDER BY created_at_us LIMIT {LeasedQueue.CandidateLimit}",
                    new { now }, cancellationToken: ct)),
                Row = item => new LeasedRow(new { itemId = item.ItemId }, Statuses.Parse(item.Status) == ItemStatus.Held, item.Attempts),
                TakingOver = item => seen.Add(item.ItemId),
                OutOfAttemptsAsync = (connection, item, now, ct) => connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE leased_items SET status = {Statuses.Sql(ItemStatus.GaveUp)}, worker = NULL WHERE item_id = @id AND {Queue.LeaseRanOut()}",
                    new { id = item.ItemId, now }, cancellationToken: ct)),
                ClaimedAsync = async (connection, item, ct) => await connection.QuerySingleAsync<Item>(new CommandDefinition(
                    "SELECT item_id AS ItemId, status AS Status, worker AS Worker, attempts AS Attempts, lease_until_us AS LeaseUntilUs FROM leased_items WHERE item_id = @id",
                    new { id = item.ItemId }, cancellationToken: ct)),
            }, CancellationToken.None);
            return Checked();

            async Task<Item?> Checked()
            {
                var item = await claimed;
                if (takingOver is not null)
                {
                    Assert.Equal(takingOver, seen);
                }

                return item;
            }
        }

        public async Task FinishAsync(string itemId, string worker)
        {
            await using var connection = await Database.OpenAsync();
            Assert.Equal(1, await connection.ExecuteAsync(
                $"UPDATE leased_items SET status = {Statuses.Sql(ItemStatus.Done)}, worker = NULL, lease_until_us = NULL WHERE {Queue.Owned}", new { itemId, worker }));
        }

        public async Task<long> CountAsync(ItemStatus status)
        {
            await using var connection = await Database.OpenAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM leased_items WHERE status = @status", new { status = Statuses.Name(status) });
        }

        public async Task<IReadOnlyList<Item>> RowsAsync()
        {
            await using var connection = await Database.OpenAsync();
            return [.. await connection.QueryAsync<Item>(
                "SELECT item_id AS ItemId, status AS Status, worker AS Worker, attempts AS Attempts, lease_until_us AS LeaseUntilUs FROM leased_items ORDER BY item_id")];
        }

        public async ValueTask DisposeAsync()
        {
            await Database.DisposeAsync();
            await _db.DisposeAsync();
        }
    }
}
