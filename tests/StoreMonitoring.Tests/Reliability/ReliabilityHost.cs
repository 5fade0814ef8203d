using System.Text;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>Rows per table: what a bad input may or may not change.</summary>
public readonly record struct TableCounts(long StoreStatus, long BusinessHours, long Timezones)
{
    public override string ToString() => $"store_status={StoreStatus}, business_hours={BusinessHours}, store_timezones={Timezones}";
}

/// <summary>
/// A clock that starts at a fixed instant and then runs at the real rate: the accepted timestamp
/// range ("now" plus the allowed skew) is deterministic, while timers and leases still move.
/// </summary>
internal sealed class ShiftedClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _origin = TimeProvider.System.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => start + TimeProvider.System.GetElapsedTime(_origin);
}

/// <summary>The real web host on a real database, with the service's clock replaced by <see cref="ShiftedClock"/>.</summary>
internal sealed class ReliabilityApp(IReadOnlyDictionary<string, string?> settings, TimeProvider clock) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            // STOREMON_TEST_LOGS=1 shows the host's log when a case needs explaining.
            if (System.Environment.GetEnvironmentVariable("STOREMON_TEST_LOGS") == "1")
            {
                logging.AddConsole();
            }
        });
        builder.ConfigureTestServices(services => services.AddSingleton(clock));
    }
}

/// <summary>
/// One bad-input case's world: a fresh database seeded through <c>POST /import_data</c> with a
/// known good import, its data directory, and a folder outside it (for symlink targets).
/// </summary>
public sealed class CaseContext : IAsyncDisposable
{
    /// <summary>The service's "now" in every case: six days after the seed's latest poll.</summary>
    public static readonly DateTimeOffset ClockStart = new(2024, 10, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The seed: 4 stores, 193 polls each, 24 business-hours rows, 4 time zones.</summary>
    public const int SeedStores = 4;

    public static readonly TableCounts SeedCounts = new(SeedStores * 193, 24, 4);

    private readonly TestDatabase _db;
    private readonly ReliabilityApp _app;
    private readonly CancellationTokenSource _ending = new();

    private CaseContext(TestDatabase db, ReliabilityApp app, HttpClient client)
    {
        _db = db;
        _app = app;
        Client = client;
        DataDirectory = db.Folder.Sub("data");
        OutsideDirectory = db.Folder.Sub("outside");
    }

    public HttpClient Client { get; }

    public string DataDirectory { get; }

    /// <summary>A folder next to, not inside, the data directory.</summary>
    public string OutsideDirectory { get; }

    public Engine Engine => _db.Engine;

    /// <summary>Cancelled when the case ends: stops helpers a case started in the background.</summary>
    public CancellationToken Ending => _ending.Token;

    public static async Task<CaseContext> CreateAsync(Engine engine, bool seed, params (string Key, string? Value)[] settings)
    {
        var db = await TestDatabase.CreateAsync(engine);
        var app = new ReliabilityApp(
            db.Settings([("StoreMonitoring:Auth:Mode", "None"), ("StoreMonitoring:Import:LeaseSeconds", "5"), .. settings]),
            new ShiftedClock(ClockStart));
        var client = app.CreateClient();
        // A hung import (a FIFO, a file that never ends) fails the case instead of the whole run.
        client.Timeout = TimeSpan.FromSeconds(60);
        var context = new CaseContext(db, app, client);
        if (seed)
        {
            InputData.WriteAll(context.DataDirectory, SeedStores);
            var response = await client.PostAsync("/import_data", null);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(SeedCounts, await context.CountsAsync());
            context.ClearData();
        }

        return context;
    }

    /// <summary>Empties the data directory, so a case's import sees only the files it writes.</summary>
    public void ClearData()
    {
        foreach (var entry in new DirectoryInfo(DataDirectory).EnumerateFileSystemInfos())
        {
            entry.Delete();
        }
    }

    public void Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    public void Write(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(DataDirectory, name), bytes);

    public async Task<TableCounts> CountsAsync()
    {
        await using var connection = await _app.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        return new TableCounts(
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM store_status"),
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM business_hours"),
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM store_timezones"));
    }

    public async Task<long> CountStoresAsync()
    {
        await using var connection = await _app.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stores");
    }

    public async Task<long> CountReportJobsAsync()
    {
        await using var connection = await _app.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_jobs");
    }

    /// <summary>The stored state of one poll: true active, false inactive, null none.</summary>
    public async Task<bool?> StoredPollAsync(string storeId, DateTimeOffset at)
    {
        await using var connection = await _app.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        var active = await connection.QueryAsync<long>(
            "SELECT s.active FROM store_status s JOIN stores t ON t.store_key = s.store_key WHERE t.store_id = @storeId AND s.observed_at_us = @at",
            new { storeId, at = at.ToUnixTimeMilliseconds() * 1000 });
        return active.Select(a => (bool?)(a == 1)).SingleOrDefault();
    }

    public async ValueTask DisposeAsync()
    {
        await _ending.CancelAsync();
        _ending.Dispose();
        Client.Dispose();
        await _app.DisposeAsync();
        await _db.DisposeAsync();
    }
}
