using System.Data.Common;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Import;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Import;

/// <summary>
/// A file whose transaction loses a write conflict (a deadlock here; a lost certification on a
/// Galera cluster, where polls through another node touch the same rows) is read again, not failed.
/// </summary>
public sealed class ImportConflictTests
{
    [Fact]
    public async Task A_file_that_loses_a_deadlock_is_imported_again_and_nothing_is_lost()
    {
        await using var db = await TestDatabase.CreateAsync(Engine.MariaDb);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 10);
        var zones = db.Folder.Sub("zones");
        Directory.CreateDirectory(zones);
        InputData.WriteTimezones(Path.Combine(zones, "timezones.csv"), stores: 10);
        // The same zones in another row order: the very file applied last would be skipped
        // unread, and this import must reach the stored zones' DELETE.
        var lines = File.ReadAllLines(Path.Combine(zones, "timezones.csv"));
        File.WriteAllLines(Path.Combine(zones, "timezones.csv"), [lines[0], .. lines.Skip(1).Reverse()]);
        using var host = await db.StartLibraryAsync();
        var importer = host.Services.GetRequiredService<DataImporter>();
        await importer.ImportAsync(db.Folder.Sub("data"));
        var zonesBefore = await ZonesAsync(db);

        await using var other = await db.OpenAsync();
        await other.ExecuteAsync("CREATE TABLE scratch (id INT NOT NULL PRIMARY KEY)");
        await using (var transaction = await other.BeginTransactionAsync())
        {
            // Heavier than the import's transaction, so that InnoDB picks the import as the
            // deadlock's victim; then a row the import's snapshot replace must delete.
            await other.ExecuteAsync($"INSERT INTO scratch (id) VALUES {string.Join(",", Enumerable.Range(1, 2000).Select(i => $"({i})"))}", transaction: transaction);
            var first = await other.ExecuteScalarAsync<int>("SELECT MIN(store_key) FROM store_timezones", transaction: transaction);
            await other.ExecuteAsync("UPDATE store_timezones SET timezone_str = timezone_str WHERE store_key = @first", new { first }, transaction);

            // The import takes the profile version, then waits for that row...
            var import = importer.ImportAsync(zones);
            await WaitUntilTheImportWaitsAsync(db);
            // ... and this waits for the profile version: a deadlock, which the import loses.
            await other.ExecuteAsync("UPDATE profile_version SET version = version WHERE id = 1", transaction: transaction);
            await transaction.RollbackAsync();

            var summary = await import;
            var file = Assert.Single(summary.Files);
            Assert.Null(file.Error);
            Assert.Equal(8, file.Imported + file.Unchanged);
        }

        Assert.Equal(zonesBefore, await ZonesAsync(db));
    }

    /// <summary>Until the import's DELETE of the stored zones runs (and waits for the test's row): a user sees its own threads.</summary>
    private static async Task WaitUntilTheImportWaitsAsync(TestDatabase db)
    {
        await using var probe = await db.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await probe.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DELETE FROM store_timezones%'") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the import never reached the stored zones' DELETE");
            await Task.Delay(20);
        }
    }

    private static async Task<List<(long Store, string Zone)>> ZonesAsync(TestDatabase db)
    {
        await using DbConnection connection = await db.OpenAsync();
        return [.. await connection.QueryAsync<(long, string)>("SELECT store_key, timezone_str FROM store_timezones ORDER BY store_key")];
    }
}
