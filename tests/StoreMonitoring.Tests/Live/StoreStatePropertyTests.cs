using System.Net;
using System.Net.Http.Json;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Live;

/// <summary>
/// The store list reads only each store's last few polls: the state and last poll it gives equal
/// those computed from the store's whole history, at any now.
/// </summary>
public sealed class StoreStatePropertyTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Listed_state_and_last_poll_equal_a_computation_over_the_whole_history(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:RateLimit:PermitLimit", "1000000")));
        var client = app.CreateClient();
        var settings = app.Services.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value.Estimation;
        var queries = app.Services.GetRequiredService<StoreQueries>();
        var storeNumber = 0;

        await IncidentPropertyTests.CaseGen.SampleAsync(async c =>
        {
            var storeId = $"state-{storeNumber++:D3}";
            var zone = DateTimeZoneProviders.Tzdb[IncidentPropertyTests.Zones[c.Zone]];
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/stores/{storeId}/timezone", new { timezone_str = zone.Id })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/stores/{storeId}/hours", c.Hours.Select(h => new
            {
                day = h.DayOfWeek, start_time_local = LocalTimeText.Format(h.Start), end_time_local = LocalTimeText.Format(h.End),
            }))).StatusCode);
            var items = c.Polls.Select(p => new { store_id = storeId, status = p.Active ? "active" : "inactive", timestamp_utc = UnixMicros.Format(p.At) }).ToArray();
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/polls", items)).StatusCode);

            var store = new StoreProfile(0, storeId, zone, c.Hours.Length == 0 ? WeeklySchedule.AlwaysOpen : new WeeklySchedule(c.Hours));
            // At each poll, just after it, between polls, and long after the last.
            var nows = c.Polls.SelectMany(p => new[] { p.At, p.At + 1, p.At + 37 * UnixMicros.PerMinute, p.At + 5 * UnixMicros.PerHour })
                .Append(c.Polls[^1].At + 3 * UnixMicros.PerDay).Where((_, i) => i % 3 == 0 || i >= 4 * c.Polls.Length).ToArray();
            foreach (var now in nows)
            {
                var listed = (await queries.StatesAsync(now)).Single(s => s.Store.StoreId == storeId);
                var history = c.Polls.Where(p => p.At <= now).ToArray();
                Assert.Equal((StoreTimeline.StateAt(history, store, now, settings), history.Length > 0 ? history[^1] : (Poll?)null), (listed.State, listed.LastPoll));
            }
        }, iter: engine == Engine.Sqlite ? 25 : 8, threads: 1);
    }
}
