using NodaTime;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports;

/// <summary>A store, its hours and polls written in local wall-clock time, for hand-computed cases.</summary>
internal sealed class EstimatorScenario(DateTimeZone zone, WeeklySchedule schedule)
{
    private readonly List<Poll> _polls = [];

    public static EstimatorScenario Chicago(params OpeningWindow[] windows) =>
        new(DateTimeZoneProviders.Tzdb["America/Chicago"], windows.Length == 0 ? WeeklySchedule.AlwaysOpen : new WeeklySchedule(windows));

    public static OpeningWindow Open(int day, string start, string end) =>
        new(day, LocalTime.FromSecondsSinceMidnight((int)TimeSpan.Parse(start).TotalSeconds), LocalTime.FromSecondsSinceMidnight((int)TimeSpan.Parse(end).TotalSeconds));

    public EstimatorScenario Poll(string localDateTime, bool active)
    {
        _polls.Add(new Poll(At(localDateTime), active));
        _polls.Sort((a, b) => a.At.CompareTo(b.At));
        return this;
    }

    public long At(string localDateTime) =>
        UnixMicros.FromInstant(zone.AtLeniently(LocalDateTime.FromDateTime(DateTime.Parse(localDateTime, System.Globalization.CultureInfo.InvariantCulture))).ToInstant());

    public StoreUptime Estimate(string now, EstimationMethod method, EstimatorSettings? settings = null, PollHistory history = default)
    {
        var windows = new ReportWindows(At(now));
        var hours = new List<TimeRange>();
        BusinessHours.Expand(schedule, zone, windows.WeekStart, windows.Now + 1, hours);
        var polls = _polls.Where(p => p.At <= windows.Now).ToArray();
        return UptimeEstimator.Estimate(polls, hours.ToArray(), windows, method, settings ?? new EstimatorSettings(), history);
    }
}

internal static class Minutes
{
    public static double Of(long micros) => micros / (double)UnixMicros.PerMinute;
}
