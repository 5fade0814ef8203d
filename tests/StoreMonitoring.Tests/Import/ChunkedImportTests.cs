using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StoreMonitoring.Import;
using StoreMonitoring.Incidents;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Import;

/// <summary>
/// <c>Import:CommitEveryRows</c>: the smallest allowed chunk is 10,000 polls, so the files here have
/// more than three chunks' worth, with repeats and contradictions on both sides of chunk boundaries.
/// </summary>
public sealed class ChunkedImportTests
{
    private const int Chunk = ImportOptions.MinCommitEveryRows;
    private const string StatusFile = "store_status.csv";

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Chunks_give_the_summary_polls_and_incidents_of_one_transaction(Engine engine)
    {
        await using var whole = await TestDatabase.CreateAsync(engine);
        await using var chunked = await TestDatabase.CreateAsync(engine);
        using var wholeHost = await whole.StartLibraryAsync();
        using var chunkedHost = await chunked.StartLibraryAsync(("StoreMonitoring:Import:CommitEveryRows", Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var data = whole.Folder.Sub("in");
        WriteInputs(data);

        var one = Status(await ImportAsync(wholeHost, data));
        var many = Status(await ImportAsync(chunkedHost, data));

        Assert.True(one.Succeeded, one.Error);
        Assert.True(one.Imported > 3 * Chunk, $"only {one.Imported} polls imported");
        // What the file brings is spread over the chunks: each kind of outcome is there to compare.
        Assert.Equal(3, one.Rejected);
        Assert.Equal(6, one.Conflicts);
        Assert.Equal(6, one.Unchanged);
        Assert.Equal(Comparable(one), Comparable(many));
        Assert.Equal(await PollsAsync(wholeHost), await PollsAsync(chunkedHost));
        var incidents = await IncidentsAsync(wholeHost);
        Assert.NotEmpty(incidents);
        Assert.Equal(incidents, await IncidentsAsync(chunkedHost));

        // A re-import (as after a crash between chunks) applies nothing twice.
        var again = Status(await ImportAsync(chunkedHost, data));
        Assert.Equal(0, again.Imported);
        Assert.Equal(many.Imported + many.Unchanged, again.Unchanged);
        Assert.Equal(many.Conflicts, again.Conflicts);
        Assert.Equal(incidents, await IncidentsAsync(chunkedHost));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task An_unterminated_quote_near_the_end_applies_nothing_of_a_chunked_file(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Import:CommitEveryRows", Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        using var client = app.CreateClient();
        var data = db.Folder.Sub("data");
        InputData.WriteStatus(Path.Combine(data, StatusFile), stores: 200);
        var lines = File.ReadAllLines(Path.Combine(data, StatusFile)).ToList();
        var broken = lines.Count - 3;
        lines[broken - 1] = "\"" + lines[broken - 1];
        File.WriteAllLines(Path.Combine(data, StatusFile), lines);

        using var response = await client.PostAsync("/import_data", null, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString() ?? "";
        Assert.Contains(StatusFile, detail, StringComparison.Ordinal);
        Assert.Contains("unterminated quote", detail, StringComparison.Ordinal);
        Assert.Matches(new Regex($@"\bline {broken}\b"), detail);
        await using var connection = await app.Services.GetRequiredService<StoreDatabase>().OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM store_status"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stores"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM incidents"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_file_rewritten_between_commits_keeps_what_was_committed_and_says_so(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        var path = Path.Combine(data, StatusFile);
        InputData.WriteStatus(path, stores: 200);
        var polls = File.ReadAllLines(path).Length - 1;
        // The first chunk's incident update is where the file grows, as if still being copied in.
        var grower = new GrowFileOnce(path, $"late-store,active,{InputData.Latest:yyyy-MM-dd HH:mm:ss} UTC\n");
        using var app = new StoreMonitoringApp(
            db.Settings(("StoreMonitoring:Import:CommitEveryRows", Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            services => services.AddSingleton<IIncidentObserver>(grower));
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/import_data", null, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString() ?? "";
        Assert.Contains("changed while being read", detail, StringComparison.Ordinal);
        Assert.Contains($"{Chunk:N0} polls of it were committed", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing of this file was applied", detail, StringComparison.Ordinal);
        await using var connection = await app.Services.GetRequiredService<StoreDatabase>().OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Chunk, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM store_status"));

        // Imported again, complete: the committed chunk is unchanged, the rest goes in.
        var again = Status(await app.Services.GetRequiredService<DataImporter>().ImportAsync(data, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(Chunk, again.Unchanged);
        Assert.Equal(polls + 1 - Chunk, again.Imported);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("9999")]
    [InlineData("-1")]
    [InlineData("10000001")]
    public async Task A_chunk_size_out_of_range_stops_the_start(string rows)
    {
        await using var db = await TestDatabase.CreateAsync(Engine.Sqlite);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => db.StartLibraryAsync(("StoreMonitoring:Import:CommitEveryRows", rows)));
        Assert.Contains("CommitEveryRows", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// 200 stores' hourly polls (38,600) with, spread across chunks, rejected rows, repeats and
    /// contradictions of earlier polls, in the same chunk and in later ones.
    /// </summary>
    private static void WriteInputs(string data)
    {
        InputData.WriteHours(Path.Combine(data, "menu_hours.csv"), 200);
        InputData.WriteTimezones(Path.Combine(data, "timezones.csv"), 200);
        var path = Path.Combine(data, StatusFile);
        InputData.WriteStatus(path, stores: 200);
        var lines = File.ReadAllLines(path).ToList();
        static string Flip(string line) => line.Contains(",active,", StringComparison.Ordinal) ? line.Replace(",active,", ",inactive,", StringComparison.Ordinal) : line.Replace(",inactive,", ",active,", StringComparison.Ordinal);
        var repeats = lines.Skip(2).Take(5).ToList();
        var contradictions = lines.Skip(7).Take(4).Select(Flip).ToList();
        // Across a chunk boundary, then within one chunk.
        lines.Insert(Chunk + 3, Flip(lines[Chunk - 2]));
        lines.Insert(2 * Chunk + 500, lines[2 * Chunk + 400]);
        lines.Insert(2 * Chunk + 600, Flip(lines[2 * Chunk + 450]));
        lines.Insert(5000, ",active,2024-10-10 00:00:00 UTC");
        lines.Insert(15000, $"{InputData.StoreId(1)},sleeping,2024-10-10 00:00:00 UTC");
        lines.AddRange([.. repeats, .. contradictions, $"{InputData.StoreId(2)},active"]);
        File.WriteAllLines(path, lines);
    }

    private sealed class GrowFileOnce(string path, string line) : IIncidentObserver
    {
        private int _grown;

        public void OnChanged(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, IReadOnlyList<(IncidentSnapshot? Before, IncidentSnapshot? After)> changes)
        {
            if (Interlocked.Exchange(ref _grown, 1) == 0)
            {
                File.AppendAllText(path, line);
            }
        }
    }

    private static async Task<ImportSummary> ImportAsync(IHost host, string directory) =>
        await host.Services.GetRequiredService<DataImporter>().ImportAsync(directory, cancellationToken: TestContext.Current.CancellationToken);

    private static FileImportSummary Status(ImportSummary summary) => Assert.Single(summary.Files, f => f.Kind == InputKind.StoreStatus);

    private static string Comparable(FileImportSummary summary) => JsonSerializer.Serialize(summary with { DurationMs = 0 });

    private static async Task<List<string>> PollsAsync(IHost host)
    {
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync(TestContext.Current.CancellationToken);
        var rows = await connection.QueryAsync<(string, long, long)>(
            "SELECT t.store_id, s.observed_at_us, s.active FROM store_status s JOIN stores t ON t.store_key = s.store_key ORDER BY t.store_id, s.observed_at_us");
        return [.. rows.Select(r => $"{r.Item1} {r.Item2} {r.Item3}")];
    }

    private static async Task<List<string>> IncidentsAsync(IHost host)
    {
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync(TestContext.Current.CancellationToken);
        var rows = await connection.QueryAsync<(string, long, long?, long, long, long, long)>(
            "SELECT t.store_id, i.start_us, i.end_us, i.down_us, i.polls, i.first_poll_us, i.last_poll_us FROM incidents i JOIN stores t ON t.store_key = i.store_key ORDER BY t.store_id, i.start_us");
        return [.. rows.Select(r => r.ToString())];
    }
}
