using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Import;
using StoreMonitoring.Ingest;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Import;

/// <summary>New stores' keys come from the database: writers registering stores at once neither collide nor lose one.</summary>
public sealed class StoreKeyTests
{
    // Two open transactions register new stores before either commits: with keys taken as MAX+1
    // on the client both would take the same key, and the second commit would fail.
    [Fact]
    public async Task Two_transactions_registering_new_stores_at_once_take_different_keys_and_share_a_common_one()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.MariaDb);
        using (await db.StartLibraryAsync())
        {
        }

        await using var first = await db.OpenAsync();
        await using var second = await db.OpenAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        await using var secondTransaction = await second.BeginTransactionAsync();
        using var firstStores = StoreRegistry.Load(db.Dialect, first, firstTransaction);
        using var secondStores = StoreRegistry.Load(db.Dialect, second, secondTransaction);

        var a = firstStores.GetOrAdd("store-a");
        var shared = firstStores.GetOrAdd("store-shared");
        var b = secondStores.GetOrAdd("store-b");
        // The second waits for the first's uncommitted row, then answers with its key, although
        // its snapshot (taken by Load) is older than that commit.
        var sharedOfSecond = Task.Run(() => secondStores.GetOrAdd("store-shared"));
        await firstTransaction.CommitAsync();
        Assert.Equal(shared, await sharedOfSecond);
        await secondTransaction.CommitAsync();

        Assert.Equal(3, new[] { a, shared, b }.Distinct().Count());
        await using var connection = await db.OpenAsync();
        var stored = (await connection.QueryAsync<(int, string)>("SELECT store_key, store_id FROM stores ORDER BY store_id")).ToList();
        Assert.Equal([(a, "store-a"), (b, "store-b"), (shared, "store-shared")], stored);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Poll_batches_through_two_instances_creating_the_same_new_stores_store_each_store_once_and_every_poll(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var one = await db.StartLibraryAsync();
        using var two = await db.StartLibraryAsync();
        var random = new Random(5);
        // 30 new stores, each in batches through both instances; every poll its own instant.
        var polls = Enumerable.Range(0, 30)
            .SelectMany(s => Enumerable.Range(0, 12).Select(m => (Store: $"new-store-{s:D2}", At: InputData.Latest.AddMinutes(m * 10 + 1), Active: random.Next(2) == 0)))
            .ToList();
        var batches = polls.Chunk(24).Select(batch => batch.OrderBy(_ => random.Next()).ToArray()).ToList();

        var sent = await Task.WhenAll(batches.Select((batch, i) => Task.Run(() =>
            (i % 2 == 0 ? one : two).Services.GetRequiredService<PollIngest>().IngestAsync(Body(batch), PollFormat.Json, CancellationToken.None))));

        Assert.Equal(polls.Count, sent.Sum(r => r.Accepted));
        Assert.All(sent, r => Assert.Equal(0, r.Rejected + r.Conflicts));
        await using var connection = await db.OpenAsync();
        var stores = (await connection.QueryAsync<(int Key, string Id)>("SELECT store_key, store_id FROM stores")).ToList();
        Assert.Equal(polls.Select(p => p.Store).Distinct().Order(StringComparer.Ordinal), stores.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.Equal(stores.Count, stores.Select(s => s.Key).Distinct().Count());
        var stored = (await connection.QueryAsync<(string, long, bool)>(
            "SELECT s.store_id, o.observed_at_us, o.active FROM store_status o JOIN stores s ON s.store_key = o.store_key")).Order().ToList();
        Assert.Equal(polls.Select(p => (p.Store, (p.At - DateTime.UnixEpoch).Ticks / 10, p.Active)).Order().ToList(), stored);
    }

    private static ReadOnlyMemory<byte> Body(IEnumerable<(string Store, DateTime At, bool Active)> polls) =>
        Encoding.UTF8.GetBytes("[" + string.Join(",", polls.Select(p =>
            $$"""{"store_id":"{{p.Store}}","status":"{{(p.Active ? "active" : "inactive")}}","timestamp_utc":"{{p.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}"}""")) + "]");
}
