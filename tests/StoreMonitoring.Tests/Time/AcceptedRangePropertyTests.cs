using CsCheck;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Time;

/// <summary>
/// The failure policy's promise about instants: the parser takes anything in the
/// <see cref="DateTimeOffset"/> range without throwing, the accepted range is enforced to the
/// microsecond, and every computation on accepted instants is free of overflow.
/// </summary>
public sealed class AcceptedRangePropertyTests
{
    private static readonly DateTimeOffset Clock = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static AcceptedInstants Accepted(FakeTimeProvider? time = null) =>
        new(time ?? new FakeTimeProvider(Clock), Options.Create(new StoreMonitoringOptions()));

    private static readonly Gen<DateTimeOffset> AnyInstant =
        Gen.Select(Gen.Long[DateTimeOffset.MinValue.UtcTicks + TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay], Gen.Int[-14 * 60, 14 * 60])
            .Select((ticks, offset) => new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offset)));

    [Fact]
    public void Any_instant_in_the_DateTimeOffset_range_parses_to_its_exact_microsecond()
    {
        AnyInstant.Sample(instant =>
        {
            var text = instant.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(TimestampParser.TryParse(text, out var micros), text);
            // The text keeps whole microseconds: the calendar truncates, which is a floor also before 1970.
            Assert.Equal(Math.DivRem(instant.UtcTicks - DateTime.UnixEpoch.Ticks, 10) is var (q, r) && r < 0 ? q - 1 : q, micros);
        });
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.999999-05:00")]
    [InlineData("9999-12-31 23:59:59 UTC")]
    [InlineData("1999-12-31T23:59:59.999999Z")]
    [InlineData("2026-12-01T12:00:00.000001Z")]
    [InlineData("2100-01-01T00:00:00Z")]
    public void Instants_outside_the_range_are_refused_with_a_message(string text)
    {
        var error = Accepted().TryParseOptional(text, "now", out var micros);
        Assert.Null(micros);
        Assert.Contains("outside the accepted range", error);
    }

    [Theory]
    [InlineData("2000-01-01T00:00:00Z")]
    [InlineData("2026-12-01T12:00:00Z")]
    [InlineData("2026-11-30T12:00:00Z")]
    public void The_range_includes_its_boundaries(string text)
    {
        Assert.Null(Accepted().TryParseOptional(text, "now", out var micros));
        Assert.NotNull(micros);
    }

    [Fact]
    public void The_range_moves_with_the_injected_clock()
    {
        var time = new FakeTimeProvider(Clock);
        var accepted = Accepted(time);
        Assert.NotNull(accepted.TryParseOptional("2026-12-03T00:00:00Z", "now", out _));
        time.Advance(TimeSpan.FromDays(3));
        Assert.Null(accepted.TryParseOptional("2026-12-03T00:00:00Z", "now", out _));
    }

    [Fact]
    public void Reports_at_the_edges_of_the_range_compute_without_overflow()
    {
        var (from, to) = Accepted().Range();
        var zones = new[] { "America/Chicago", "Pacific/Kiritimati", "Pacific/Pago_Pago" };
        var gen = Gen.Select(Gen.Bool, Gen.Int[0, zones.Length - 1], Gen.Select(Gen.Long[0, 10 * UnixMicros.PerDay], Gen.Bool).Array[0, 40], Gen.Bool);
        gen.Sample((atStart, zone, offsets, alwaysOpen) =>
        {
            var now = atStart ? from + 10 * UnixMicros.PerDay : to;
            var polls = offsets.Select(p => new Poll(Math.Max(from, now - p.Item1), p.Item2)).DistinctBy(p => p.At).OrderBy(p => p.At).ToArray();
            var schedule = alwaysOpen ? WeeklySchedule.AlwaysOpen : new WeeklySchedule([new OpeningWindow(0, new LocalTime(22, 0), new LocalTime(2, 0)), new OpeningWindow(6, new LocalTime(9, 0), BusinessHours.EndOfDay)]);
            var store = new StoreProfile(1, "edge", DateTimeZoneProviders.Tzdb[zones[zone]], schedule);
            foreach (var method in new[] { EstimationMethod.Interpolated, EstimationMethod.Ratio })
            {
                var uptime = StoreReport.Compute(polls, store, new ReportWindows(now), method, new EstimatorSettings());
                foreach (var window in new[] { uptime.LastHour, uptime.LastDay, uptime.LastWeek })
                {
                    Assert.Equal(window.Business, window.Uptime + window.Downtime + window.Unknown);
                    Assert.InRange(window.EstimatedUptime, 0, window.Business);
                }

                _ = ReportCsv.Figures(uptime);
                Assert.NotEmpty(UnixMicros.Format(now));
            }
        });
    }
}
