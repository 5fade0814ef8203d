using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StoreMonitoring.Import;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Import;

public sealed class ImportTests
{
    private static async Task<long> CountAsync(IHost host, string table)
    {
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    private static Task<ImportSummary> ImportAsync(IHost host, string directory) =>
        host.Services.GetRequiredService<DataImporter>().ImportAsync(directory);

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Imports_the_three_files_with_a_bom_and_reports_each(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.WriteAll(data, stores: 12);

        var summary = await ImportAsync(host, data);

        Assert.True(summary.Succeeded);
        Assert.Empty(summary.MissingFiles);
        var status = Assert.Single(summary.Files, f => f.Kind == InputKind.StoreStatus);
        Assert.Equal(12 * (8 * 24 + 1), status.RowsRead);
        Assert.Equal(status.RowsRead, status.Imported);
        Assert.Equal(0, status.Rejected);
        Assert.Equal(status.RowsRead, await CountAsync(host, "store_status"));
        Assert.Equal(3 * 7 + 3 * 10 + 3 * 7, await CountAsync(host, "business_hours"));
        Assert.Equal(10, await CountAsync(host, "store_timezones"));
        Assert.Equal(12, await CountAsync(host, "stores"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Accepts_the_other_published_file_names_and_columns(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.WriteStatus(Path.Combine(data, "store_status.csv"), 3);
        InputData.WriteHours(Path.Combine(data, "Menu hours.csv"), 3, dayColumn: "day");
        InputData.WriteTimezones(Path.Combine(data, "bq-results-20230125-202210-1674678181880.csv"), 3);

        var summary = await ImportAsync(host, data);

        Assert.True(summary.Succeeded);
        Assert.Equal(["Menu hours.csv", "bq-results-20230125-202210-1674678181880.csv", "store_status.csv"], summary.Files.Select(f => f.File).Order(StringComparer.Ordinal));
        Assert.Equal(7 + 10, await CountAsync(host, "business_hours"));
        Assert.Equal(3, await CountAsync(host, "store_timezones"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Accepts_iso_timestamps_and_keeps_microseconds(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.Write(Path.Combine(data, "store_status.csv"), """
            store_id,status,timestamp_utc
            a,ACTIVE,2024-10-03 23:33:20.412748 UTC
            a,Inactive,2024-10-03T23:40:00Z
            a,active,2024-10-04T01:50:00.000001+02:00
            a,active,2024-10-03 23:59:59
            """.ReplaceLineEndings("\n"), bom: true);

        var summary = await ImportAsync(host, data);

        Assert.Equal(4, summary.Files[0].Imported);
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        var times = (await connection.QueryAsync<long>("SELECT observed_at_us FROM store_status ORDER BY observed_at_us")).ToArray();
        Assert.Equal(1727998400412748, times[0]);
        Assert.Equal(1727998800000000, times[1]);
        Assert.Equal(1727999400000001, times[2]);
        var active = await connection.QueryAsync<long>("SELECT active FROM store_status ORDER BY observed_at_us");
        Assert.Equal([1L, 0L, 1L, 1L], active);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Skips_bad_rows_with_their_line_numbers_and_keeps_the_good_ones(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.Write(Path.Combine(data, "store_status.csv"), """
            store_id,status,timestamp_utc
            s1,active,2024-10-03 23:33:20.412748 UTC
            s1,actve,2024-10-03 23:34:20 UTC
            s2,inactive,yesterday
            s3,active
            ,active,2024-10-03 23:35:20 UTC
            s4,inactive,2024-10-03 23:36:20 UTC
            """.ReplaceLineEndings("\n"));
        InputData.Write(Path.Combine(data, "menu_hours.csv"), """
            store_id,dayOfWeek,start_time_local,end_time_local
            s1,0,09:00:00,17:00:00
            s1,7,09:00:00,17:00:00
            s1,1,9am,17:00:00
            s1,2,09:00:00,17:00:00
            """.ReplaceLineEndings("\n"));
        InputData.Write(Path.Combine(data, "timezones.csv"), """
            store_id,timezone_str
            s1,America/Chicago
            s2,Mars/Olympus_Mons
            s3,America/Denver
            """.ReplaceLineEndings("\n"));

        var summary = await ImportAsync(host, data);

        Assert.True(summary.Succeeded);
        var status = summary.Files.Single(f => f.Kind == InputKind.StoreStatus);
        Assert.Equal((6, 2, 4), (status.RowsRead, status.Imported, status.Rejected));
        Assert.Equal([3L, 4L, 5L, 6L], status.RejectedExamples.Select(e => e.Line));
        Assert.Contains("unknown status 'actve'", status.RejectedExamples[0].Reason);
        Assert.Contains("unparsable timestamp_utc 'yesterday'", status.RejectedExamples[1].Reason);
        Assert.Contains("expected 3 columns, found 2", status.RejectedExamples[2].Reason);
        Assert.Contains("empty store_id", status.RejectedExamples[3].Reason);

        var hours = summary.Files.Single(f => f.Kind == InputKind.BusinessHours);
        Assert.Equal((2, 2L), (hours.Imported, hours.Rejected));
        Assert.Equal([3L, 4L], hours.RejectedExamples.Select(e => e.Line));
        Assert.Contains("day '7'", hours.RejectedExamples[0].Reason);
        Assert.Contains("start_time_local '9am'", hours.RejectedExamples[1].Reason);

        var zones = summary.Files.Single(f => f.Kind == InputKind.Timezones);
        var unknown = Assert.Single(zones.RejectedExamples);
        Assert.Equal(3, unknown.Line);
        Assert.Contains("unknown timezone 'Mars/Olympus_Mons'", unknown.Reason);
        Assert.Equal(2, await CountAsync(host, "store_timezones"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_bad_header_aborts_that_file_alone_and_applies_nothing_of_it(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.WriteAll(data, stores: 4);
        await ImportAsync(host, data);
        var before = await CountAsync(host, "business_hours");

        InputData.Write(Path.Combine(data, "menu_hours.csv"), "store,weekday,open,close\nx,0,09:00:00,10:00:00\n");
        InputData.WriteStatus(Path.Combine(data, "store_status.csv"), stores: 4, seed: 2);
        var summary = await ImportAsync(host, data);

        Assert.False(summary.Succeeded);
        var hours = summary.Files.Single(f => f.Kind == InputKind.BusinessHours);
        Assert.StartsWith("menu_hours.csv: bad header: expected columns store_id,dayOfWeek|day,start_time_local,end_time_local", hours.Error);
        Assert.Equal(before, await CountAsync(host, "business_hours"));
        var status = summary.Files.Single(f => f.Kind == InputKind.StoreStatus);
        Assert.True(status.Succeeded);
        Assert.True(status.Imported > 0);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Importing_the_same_files_twice_changes_nothing(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.WriteAll(data, stores: 8);

        await ImportAsync(host, data);
        var counts = new[] { await CountAsync(host, "store_status"), await CountAsync(host, "business_hours"), await CountAsync(host, "store_timezones"), await CountAsync(host, "stores") };
        var again = await ImportAsync(host, data);

        var status = again.Files.Single(f => f.Kind == InputKind.StoreStatus);
        Assert.Equal(0, status.Imported);
        Assert.Equal(status.RowsRead, status.Unchanged);
        long[] after = [await CountAsync(host, "store_status"), await CountAsync(host, "business_hours"), await CountAsync(host, "store_timezones"), await CountAsync(host, "stores")];
        Assert.Equal(counts, after);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Hours_and_timezones_are_snapshots_that_replace_what_was_stored(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.WriteAll(data, stores: 8);
        await ImportAsync(host, data);
        var hoursBefore = await CountAsync(host, "business_hours");

        InputData.Write(Path.Combine(data, "menu_hours.csv"), $"store_id,dayOfWeek,start_time_local,end_time_local\n{InputData.StoreId(0)},0,10:00:00,11:00:00\n");
        InputData.Write(Path.Combine(data, "timezones.csv"), $"store_id,timezone_str\n{InputData.StoreId(0)},Pacific/Honolulu\n");
        // Both drop most of the stored rows: refused unless the import says it means it.
        Assert.All((await ImportAsync(host, data)).Files.Where(f => f.Kind != InputKind.StoreStatus), f => Assert.Contains("allow_shrink", f.Error, StringComparison.Ordinal));
        Assert.Equal(hoursBefore, await CountAsync(host, "business_hours"));
        await host.Services.GetRequiredService<DataImporter>().ImportAsync(data, allowShrink: true);

        Assert.Equal(1, await CountAsync(host, "business_hours"));
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        Assert.Equal("Pacific/Honolulu", await connection.ExecuteScalarAsync<string>("SELECT timezone_str FROM store_timezones"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_lone_status_file_imports_and_the_missing_files_are_named(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.WriteStatus(Path.Combine(data, "store_status.csv"), 2);

        var summary = await ImportAsync(host, data);

        Assert.True(summary.Succeeded);
        Assert.Equal(["timezones.csv", "menu_hours.csv"], summary.MissingFiles);
        await Assert.ThrowsAsync<InputFilesNotFoundException>(() => ImportAsync(host, db.Folder.Sub("empty")));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_second_import_while_one_holds_the_database_lock_is_refused(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var data = db.Folder.Sub("in");
        InputData.WriteAll(data, stores: 2);

        // Another process (another holder) is importing into the same database.
        var appLock = host.Services.GetRequiredService<AppLock>();
        Assert.True(await appLock.TryAcquireAsync("import", "other-instance", TimeSpan.FromMinutes(1), default));
        await Assert.ThrowsAsync<ImportInProgressException>(() => ImportAsync(host, data));

        await appLock.ReleaseAsync("import", "other-instance");
        Assert.True((await ImportAsync(host, data)).Succeeded);
    }
}
