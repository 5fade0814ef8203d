using System.Data.Common;
using System.Net;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;
using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>
/// A database with no space left: writes answer 507 problem details (never a 500), an import names
/// the files committed before it, and nothing committed is lost or half-applied. SQLite runs out
/// for real (its page count capped at the current size, SQLITE_FULL); MariaDB's "table is full"
/// (1114) comes from a trigger, as InnoDB raises it on a full tablespace.
/// </summary>
public sealed class DiskFullTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_full_disk_answers_507_and_an_import_names_what_it_committed(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var full = new FullSwitch();
        await using var app = new StoreMonitoringApp(
            db.Settings(("StoreMonitoring:DataDirectory", db.Folder.Sub("data")), ("StoreMonitoring:Reports:RunWorker", "false")),
            services => services.Replace(ServiceDescriptor.Singleton(_ => new StoreDatabase(
                engine == Engine.Sqlite ? new CappedSqlite(db.Dialect, full) : db.Dialect, db.ConnectionString))));
        var client = app.CreateClient();
        var data = db.Folder.Sub("data");
        InputData.WriteAll(data, stores: 4);
        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);
        var before = await CountsAsync(db);

        // New time zones (a small change) and a status file of 20,000 new polls, which cannot fit.
        File.WriteAllText(Path.Combine(data, ZonesFile), Lines(ZonesHeader, GoodZone(0), GoodZone(1), GoodZone(2), GoodZone(3)));
        var polls = new StringBuilder(StatusHeader + "\n");
        for (var i = 0; i < 20_000; i++)
        {
            polls.Append(Id(i % 50)).Append(",active,").Append(new DateTime(2024, 10, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)).Append(" UTC\n");
        }

        File.WriteAllText(Path.Combine(data, StatusFile), polls.ToString());
        await FillAsync(db, full, on: true);

        var import = await client.ImportAsync();
        var text = await import.Content.ReadAsStringAsync(Ct);
        Assert.True(import.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)import.StatusCode}: {text}");
        Assert.Equal("application/problem+json", import.Content.Headers.ContentType?.MediaType);
        var problem = await import.JsonAsync();
        Assert.Contains("no space left", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(StatusFile, problem.GetProperty("file").GetString());
        var committed = problem.GetProperty("committed_files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.DoesNotContain(committed, f => f.StartsWith(StatusFile, StringComparison.Ordinal));

        // What the answer says was committed is exactly what is stored; the status file applied nothing.
        var during = await CountsAsync(db);
        Assert.Equal(before.Polls, during.Polls);
        Assert.Equal(committed.Any(f => f.StartsWith(ZonesFile, StringComparison.Ordinal)) ? "America/New_York" : before.ZoneOfStore1, during.ZoneOfStore1);

        var batch = string.Join(",", Enumerable.Range(0, 5000).Select(i =>
            $$"""{"store_id":"{{Id(i % 50)}}","status":"inactive","timestamp_utc":"{{new DateTime(2024, 10, 5, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 7):yyyy-MM-ddTHH:mm:ssZ}}"}"""));
        var ingest = await client.PostAsync("/polls", AuditTests.Json($"[{batch}]"), Ct);
        Assert.True(ingest.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)ingest.StatusCode}: {await ingest.Content.ReadAsStringAsync(Ct)}");
        Assert.Contains("no space left", (await ingest.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before.Polls, (await CountsAsync(db)).Polls);

        // Space again: the same import goes in whole, and nothing that was committed is lost.
        await FillAsync(db, full, on: false);
        var retry = await client.ImportAsync();
        Assert.True(retry.StatusCode == HttpStatusCode.OK, await retry.Content.ReadAsStringAsync(Ct));
        var after = await CountsAsync(db);
        Assert.Equal(before.Polls + 20_000, after.Polls);
        Assert.Equal("America/New_York", after.ZoneOfStore1);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/polls", AuditTests.Json($"[{batch}]"), Ct)).StatusCode);
    }

    private sealed record Counts(long Polls, string? ZoneOfStore1);

    private static async Task<Counts> CountsAsync(TestDatabase db)
    {
        await using var connection = await db.OpenAsync();
        return new Counts(
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM store_status"),
            await connection.ExecuteScalarAsync<string?>(
                "SELECT z.timezone_str FROM store_timezones z JOIN stores s ON s.store_key = z.store_key WHERE s.store_id = @id", new { id = Id(1) }));
    }

    private static async Task FillAsync(TestDatabase db, FullSwitch full, bool on)
    {
        full.On = on;
        if (db.Engine == Engine.MariaDb)
        {
            await using var connection = await db.OpenAsync();
            await connection.ExecuteAsync(on
                ? "CREATE TRIGGER disk_full BEFORE INSERT ON store_status FOR EACH ROW SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1114, MESSAGE_TEXT = 'The table store_status is full'"
                : "DROP TRIGGER IF EXISTS disk_full");
        }
    }

    private sealed class FullSwitch
    {
        public volatile bool On;
    }

    /// <summary>SQLite as the service runs it, with every connection capped at the file's current size while the switch is on.</summary>
    private sealed class CappedSqlite(SqlDialect inner, FullSwitch full) : SqlDialect
    {
        public override string Name => inner.Name;

        public override bool MigrateOnStartByDefault => inner.MigrateOnStartByDefault;

        public override InsertSql InsertUnlessPresent(string table, IReadOnlyList<string> columns) => inner.InsertUnlessPresent(table, columns);

        public override string OuterFirstJoin => inner.OuterFirstJoin;

        public override string RegisterStoreSql => inner.RegisterStoreSql;

        public override string DeleteAtMost(string table, string keys, string where, int limit) => inner.DeleteAtMost(table, keys, where, limit);

        public override bool SerializesWriters => inner.SerializesWriters;

        public override string LatestObservationQuery => inner.LatestObservationQuery;

        public override DbDataSource CreateDataSource(string connectionString) => inner.CreateDataSource(connectionString);

        public override async Task PrepareConnectionAsync(DbConnection connection, TimeSpan lockWait, CancellationToken cancellationToken)
        {
            await inner.PrepareConnectionAsync(connection, lockWait, cancellationToken);
            // A cap below the current size sets it to the current size: no page can be added.
            await connection.ExecuteAsync(full.On ? "PRAGMA max_page_count = 1" : "PRAGMA max_page_count = 1073741823");
        }

        public override DbErrorKind Classify(DbException exception) => inner.Classify(exception);

        public override StoreMonitoring.Reports.Rollups.DayRollupWriter CreateDayRollupWriter(DbConnection connection, DbTransaction transaction) =>
            inner.CreateDayRollupWriter(connection, transaction);

        public override bool IsUnavailableError(Exception exception) => inner.IsUnavailableError(exception);

        protected override bool IsStorageFullError(Exception exception) => inner.IsStorageFull(exception);

        public override ObservationLoader CreateObservationLoader(DbConnection connection, DbTransaction transaction) => inner.CreateObservationLoader(connection, transaction);

        public override void ReadObservations(DbConnection connection, long now, StoreKeyRange stores, ObservationSink sink, DbTransaction? transaction = null) =>
            inner.ReadObservations(connection, now, stores, sink, transaction);
    }
}
