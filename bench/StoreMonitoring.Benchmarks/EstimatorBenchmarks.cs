using BenchmarkDotNet.Attributes;
using NodaTime;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Benchmarks;

/// <summary>The report's hot path for one store: its week of business hours and its estimate.</summary>
[MemoryDiagnoser]
public class EstimatorBenchmarks
{
    private readonly List<TimeRange> _hours = [];
    private WeeklySchedule _schedule = WeeklySchedule.AlwaysOpen;
    private readonly DateTimeZone _zone = DateTimeZoneProviders.Tzdb["America/New_York"];
    private Poll[] _polls = [];
    private TimeRange[] _week = [];
    private ReportWindows _windows;
    private readonly EstimatorSettings _settings = new();

    [GlobalSetup]
    public void Setup()
    {
        // A split-shift store, two windows a day, hourly polls over 8 days.
        _schedule = new WeeklySchedule(Enumerable.Range(0, 7).SelectMany(d => new[]
        {
            new OpeningWindow(d, new LocalTime(11, 0), new LocalTime(14, 30)),
            new OpeningWindow(d, new LocalTime(17, 0), new LocalTime(1, 0)),
        }));
        var now = UnixMicros.FromInstant(Instant.FromUtc(2024, 10, 14, 23, 55));
        _windows = new ReportWindows(now);
        var random = new Random(3);
        _polls = [.. Enumerable.Range(0, 8 * 24).Select(h => new Poll(now - h * UnixMicros.PerHour - random.Next(0, 600) * UnixMicros.PerSecond, random.NextDouble() < 0.9)).OrderBy(p => p.At)];
        var hours = new List<TimeRange>();
        BusinessHours.Expand(_schedule, _zone, _windows.WeekStart, now + 1, hours);
        _week = [.. hours];
    }

    [Benchmark]
    public int ExpandBusinessHoursWeek()
    {
        _hours.Clear();
        BusinessHours.Expand(_schedule, _zone, _windows.WeekStart, _windows.Now + 1, _hours);
        return _hours.Count;
    }

    [Benchmark(Baseline = true)]
    public StoreUptime Ratio() => UptimeEstimator.Estimate(_polls, _week, _windows, EstimationMethod.Ratio, _settings);

    [Benchmark]
    public StoreUptime Interpolated() => UptimeEstimator.Estimate(_polls, _week, _windows, EstimationMethod.Interpolated, _settings);
}
