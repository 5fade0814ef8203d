using System.Net;
using System.Net.Http.Json;
using CsCheck;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Reports.Rollups;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports;

/// <summary>
/// Daily rollups kept current batch by batch equal rollups computed from scratch over the same
/// polls, whatever the batches; and a period's rollups sum to the raw computation of the period.
/// </summary>
public sealed class RollupPropertyTests
{
    // Across the end of US daylight saving time (2024-11-03) and a month end.
    private static readonly long Base = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 28, 0, 0));
    private static readonly string[] Zones = ["America/Chicago", "America/New_York", "Asia/Kolkata", "Europe/London", "Australia/Sydney"];

    internal sealed record Case(Poll[] Polls, int[] BatchOf, int[] Order, OpeningWindow[] Hours, int Zone, bool EditHoursAfter);

    private static readonly Gen<Case> CaseGen =
        Gen.Select(
            Gen.Select(Gen.Long[0, 9 * UnixMicros.PerDay], Gen.Int[0, 9]).Array[5, 90],
            Gen.Int[1, 6],
            Gen.Select(Gen.Int[0, 6], Gen.Int[0, 23], Gen.Int[1, 16]).Array[0, 6],
            Gen.Int[0, Zones.Length - 1],
            Gen.Int[0, int.MaxValue],
            Gen.Bool)
        .Select((raw, batches, hours, zone, seed, edit) =>
        {
            var random = new Random(seed);
            var polls = raw.Select(p => new Poll(Base + p.Item1 / UnixMicros.PerSecond * UnixMicros.PerSecond, p.Item2 >= 3)).DistinctBy(p => p.At).OrderBy(p => p.At).ToArray();
            var batchOf = polls.Select(_ => random.Next(batches)).ToArray();
            var order = Enumerable.Range(0, batches).OrderBy(_ => random.Next()).ToArray();
            var windows = hours.Select(h => new OpeningWindow(h.Item1, new LocalTime(h.Item2, 0), new LocalTime((h.Item2 + h.Item3) % 24, 0))).Distinct().ToArray();
            return new Case(polls, batchOf, order, windows, zone, edit);
        });

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Rollups_kept_current_equal_a_computation_from_scratch_whatever_the_batches(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:RateLimit:PermitLimit", "1000000")));
        var client = app.CreateClient();
        var settings = app.Services.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value.Estimation;
        var database = app.Services.GetRequiredService<StoreDatabase>();
        var storeNumber = 0;

        await CaseGen.SampleAsync(async c =>
        {
            var storeId = $"roll-{storeNumber++}";
            var zone = DateTimeZoneProviders.Tzdb[Zones[c.Zone]];
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/stores/{storeId}/timezone", new { timezone_str = zone.Id })).StatusCode);
            var hours = c.EditHoursAfter ? [] : c.Hours;
            await PutHoursAsync(client, storeId, hours);

            foreach (var batch in c.Order)
            {
                var items = c.Polls.Where((_, i) => c.BatchOf[i] == batch).Reverse()
                    .Select(p => new { store_id = storeId, status = p.Active ? "active" : "inactive", timestamp_utc = UnixMicros.Format(p.At) }).ToArray();
                Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", items)).StatusCode);
            }

            if (c.EditHoursAfter)
            {
                hours = c.Hours;
                await PutHoursAsync(client, storeId, hours);
            }

            var store = new StoreProfile(0, storeId, zone, hours.Length == 0 ? WeeklySchedule.AlwaysOpen : new WeeklySchedule(hours));
            var expected = FromScratch(c.Polls, store, settings);
            await using var connection = await database.OpenAsync();
            var stored = (await connection.QueryAsync<DayRollup>(
                $"SELECT 0 AS StoreKey, d.local_date AS Date, d.business_us AS Business, d.up_us AS Up, d.down_us AS Down, d.unknown_us AS Unknown, d.polls_in_hours AS Polls, d.active_in_hours AS Active, d.incidents AS Incidents, d.longest_incident_us AS LongestIncident FROM store_days d JOIN stores s ON s.store_key = d.store_key WHERE s.store_id = @storeId ORDER BY d.local_date",
                new { storeId })).ToList();
            Assert.Equal(expected, stored);
        }, iter: engine == Engine.Sqlite ? 40 : 15, threads: 1);
    }

    [Fact]
    public void A_periods_rollups_sum_to_the_raw_computation_of_the_period()
    {
        var settings = new EstimatorSettings();
        Gen.Select(CaseGen, Gen.Int[-3, 12], Gen.Int[0, 12]).Sample(t =>
        {
            var (c, offset, length) = t;
            var zone = DateTimeZoneProviders.Tzdb[Zones[c.Zone]];
            var store = new StoreProfile(0, "s", zone, c.Hours.Length == 0 ? WeeklySchedule.AlwaysOpen : new WeeklySchedule(c.Hours));
            var rows = FromScratch(c.Polls, store, settings);
            var incidents = IncidentFinder.Find(c.Polls, store, settings);
            var from = LocalDates.DateOf(Base, zone).PlusDays(offset);
            var to = from.PlusDays(length);
            var summed = new PeriodTotals().Sum(store, rows.ToArray(), from, to);
            Assert.Equal(DayRollups.Period(c.Polls, store, settings, incidents.ToArray(), from, to), summed);
        }, iter: 400);
    }

    [Theory]
    [InlineData("America/Chicago", 2024, 11, 3)]
    [InlineData("Europe/London", 2024, 10, 27)]
    [InlineData("Australia/Sydney", 2024, 10, 6)]
    public void A_DST_date_has_its_own_length_of_business_time(string zoneId, int year, int month, int day)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var store = new StoreProfile(0, "s", zone, WeeklySchedule.AlwaysOpen);
        var date = new LocalDate(year, month, day);
        var row = DayRollups.Empty(store, date, []);
        var expected = zoneId == "Australia/Sydney" ? 23 : 25;
        Assert.Equal(expected * UnixMicros.PerHour, row.Business);
    }

    internal static List<DayRollup> FromScratch(Poll[] polls, StoreProfile store, EstimatorSettings settings)
    {
        var incidents = IncidentFinder.Find(polls, store, settings);
        var rows = new List<DayRollup>();
        DayRollups.Compute(polls, store, settings, incidents.ToArray(), null, new DayRollups.Buffers(), rows);
        return rows;
    }

    private static async Task PutHoursAsync(HttpClient client, string storeId, OpeningWindow[] hours) =>
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/stores/{storeId}/hours", hours.Select(h => new
        {
            day = h.DayOfWeek, start_time_local = LocalTimeText.Format(h.Start), end_time_local = LocalTimeText.Format(h.End),
        }))).StatusCode);
}
