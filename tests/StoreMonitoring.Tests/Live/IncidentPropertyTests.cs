using System.Net;
using System.Net.Http.Json;
using CsCheck;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Live;

/// <summary>
/// Incidents kept current batch by batch equal incidents computed from scratch over the same
/// polls, whatever the batches' boundaries and order.
/// </summary>
public sealed class IncidentPropertyTests
{
    private static readonly long Base = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 7, 0, 0));
    internal static readonly string[] Zones = ["America/Chicago", "America/New_York", "Asia/Kolkata"];

    internal sealed record Case(Poll[] Polls, int[] BatchOf, int[] Order, OpeningWindow[] Hours, int Zone);

    internal static readonly Gen<Case> CaseGen =
        Gen.Select(
            // Hourly-ish polls with runs of outages, over eight days.
            Gen.Select(Gen.Long[0, 8 * UnixMicros.PerDay], Gen.Int[0, 9]).Array[5, 90],
            Gen.Int[1, 6],
            Gen.Select(Gen.Int[0, 6], Gen.Int[0, 23], Gen.Int[1, 16]).Array[0, 6],
            Gen.Int[0, Zones.Length - 1],
            Gen.Int[0, int.MaxValue])
        .Select((raw, batches, hours, zone, seed) =>
        {
            var random = new Random(seed);
            var polls = raw.Select(p => new Poll(Base + p.Item1 / UnixMicros.PerSecond * UnixMicros.PerSecond, p.Item2 >= 3)).DistinctBy(p => p.At).OrderBy(p => p.At).ToArray();
            var batchOf = polls.Select(_ => random.Next(batches)).ToArray();
            var order = Enumerable.Range(0, batches).OrderBy(_ => random.Next()).ToArray();
            var windows = hours.Select(h => new OpeningWindow(h.Item1, new LocalTime(h.Item2, 0), new LocalTime((h.Item2 + h.Item3) % 24, 0))).Distinct().ToArray();
            return new Case(polls, batchOf, order, windows, zone);
        });

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Incidents_kept_current_equal_a_computation_from_scratch_whatever_the_batches(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        // Many small requests: the rate limit would stop them, and is not what this test is about.
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:RateLimit:PermitLimit", "1000000")));
        var client = app.CreateClient();
        var settings = app.Services.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value.Estimation;
        var database = app.Services.GetRequiredService<StoreDatabase>();
        var storeNumber = 0;

        await CaseGen.SampleAsync(async c =>
        {
            var storeId = $"prop-{storeNumber++}";
            var zone = DateTimeZoneProviders.Tzdb[Zones[c.Zone]];
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/stores/{storeId}/timezone", new { timezone_str = zone.Id })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/stores/{storeId}/hours", c.Hours.Select(h => new
            {
                day = h.DayOfWeek, start_time_local = LocalTimeText.Format(h.Start), end_time_local = LocalTimeText.Format(h.End),
            }))).StatusCode);

            foreach (var batch in c.Order)
            {
                var items = c.Polls.Where((_, i) => c.BatchOf[i] == batch).Reverse()
                    .Select(p => new { store_id = storeId, status = p.Active ? "active" : "inactive", timestamp_utc = UnixMicros.Format(p.At) }).ToArray();
                var response = await client.PostAsJsonAsync("/polls", items);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            var store = new StoreProfile(0, storeId, zone, c.Hours.Length == 0 ? WeeklySchedule.AlwaysOpen : new WeeklySchedule(c.Hours));
            var expected = IncidentFinder.Find(c.Polls, store, settings)
                .Select(i => (i.Start, i.End, i.DownMicros, i.Polls, i.FirstPoll, i.LastPoll)).ToList();
            await using var connection = await database.OpenAsync();
            var stored = (await connection.QueryAsync<StoredIncident>(
                    $"SELECT {StoredIncident.ColumnsOf("i")} FROM incidents i JOIN stores s ON s.store_key = i.store_key WHERE s.store_id = @storeId ORDER BY i.start_us",
                    new { storeId }))
                .Select(i => (i.StartUs, i.EndUs, i.DownUs, i.Polls, i.FirstPollUs, i.LastPollUs)).ToList();
            Assert.Equal(expected, stored);
        }, iter: engine == Engine.Sqlite ? 40 : 15, threads: 1);
    }
}
