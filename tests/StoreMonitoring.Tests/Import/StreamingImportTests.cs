using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Import;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Import;

/// <summary>
/// Runs alone: it counts the bytes the whole process allocates, which other tests running at the
/// same time would add to.
/// </summary>
[CollectionDefinition(nameof(StreamingImportTests), DisableParallelization = true)]
public sealed class StreamingImportCollection;

[Collection(nameof(StreamingImportTests))]
public sealed class StreamingImportTests
{
    [Fact]
    public async Task A_large_file_streams_through_without_being_held_in_memory()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        const int rows = 600_000;
        await using (var writer = new StreamWriter(Path.Combine(data, "store_status.csv")))
        {
            await writer.WriteAsync("store_id,status,timestamp_utc\n");
            var start = new DateTime(2024, 9, 1, 0, 0, 0, DateTimeKind.Utc);
            for (var i = 0; i < rows; i++)
            {
                await writer.WriteAsync($"store-{i % 3000:D5},{(i % 7 == 0 ? "inactive" : "active")},{start.AddSeconds(i * 5 + i % 3000):yyyy-MM-dd HH:mm:ss.ffffff} UTC\n");
            }
        }

        var fileBytes = new FileInfo(Path.Combine(data, "store_status.csv")).Length;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var summary = await host.Services.GetRequiredService<DataImporter>().ImportAsync(data);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(rows, summary.Files[0].Imported);
        // Holding the file's rows as strings would allocate well over its size; streaming
        // allocates a small, fixed amount per row, plus what it keeps of each incident it derives
        // (this file has an outage every seventh poll of every store, far more than real data).
        var incidents = await IncidentCountAsync(host.Services);
        Assert.True(incidents > rows / 10, $"only {incidents} incidents");
        Assert.True(allocated < fileBytes + 2048L * incidents, $"The import allocated {allocated:N0} bytes for a {fileBytes:N0}-byte file and {incidents:N0} incidents.");
    }

    private static async Task<long> IncidentCountAsync(IServiceProvider services)
    {
        await using var connection = await services.GetRequiredService<StoreMonitoring.Storage.StoreDatabase>().OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT COUNT(*) FROM incidents");
    }
}
