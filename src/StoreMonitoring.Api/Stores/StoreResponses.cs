using System.Globalization;
using System.Text.Json.Serialization;
using NodaTime;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Stores;

internal sealed record PollView(string TimestampUtc, string Status)
{
    public static PollView From(Poll poll) => new(UnixMicros.Format(poll.At), poll.Active ? "active" : "inactive");
}

internal sealed record HoursView(int Day, string StartTimeLocal, string EndTimeLocal);

internal sealed record StoreSummary(string StoreId, string Timezone, string State, bool OpenNow, string LocalTime, PollView? LastPoll);

internal sealed record StoreList(IReadOnlyList<StoreSummary> Stores, string? NextCursor, int Total);

internal sealed record StoreDetail(
    string StoreId, string Timezone, IReadOnlyList<HoursView> BusinessHours, bool OpenNow, string LocalTime, string Now, string State, PollView? LastPoll,
    string Method, IReadOnlyList<WindowView> Windows)
{
    /// <summary>Each window's figures, as a property named after the window.</summary>
    [JsonExtensionData]
    public Dictionary<string, object> Figures { get; init; } = [];
}

/// <summary>A window the figures are given for: its name (the property holding them) and unit.</summary>
internal sealed record WindowView(string Name, string Unit);

internal sealed record EvidenceView(string Rule, PollView? Poll);

internal sealed record IntervalView(string Start, string End, string State, EvidenceView Evidence);

internal sealed record TimelineView(string StoreId, string Timezone, string Method, string From, string To, IReadOnlyList<IntervalView> Intervals, IReadOnlyList<PollView> Polls);

internal static class Views
{
    public static string State(TimelineState state) => state.ToString().ToLowerInvariant();

    public static string Local(long micros, DateTimeZone zone) =>
        UnixMicros.ToInstant(micros).InZone(zone).ToString("uuuu-MM-dd'T'HH:mm:sso<m>", CultureInfo.InvariantCulture);

    public static IReadOnlyList<HoursView> Hours(WeeklySchedule schedule) =>
        [.. schedule.Windows.OrderBy(w => w.DayOfWeek).ThenBy(w => w.Start).Select(w => new HoursView(w.DayOfWeek, LocalTimeText.Format(w.Start), LocalTimeText.Format(w.End)))];

    public static string Rule(TimelineRule rule) => rule switch
    {
        TimelineRule.ActivePoll => "active_poll",
        TimelineRule.InactivePoll => "inactive_poll",
        TimelineRule.NoPollInReach => "no_poll_in_reach",
        _ => "outside_business_hours",
    };

    public static IntervalView Interval(TimelineInterval interval) => new(
        UnixMicros.Format(interval.Start), UnixMicros.Format(interval.End), State(interval.State),
        new EvidenceView(Rule(interval.Rule), interval.Poll is { } poll ? PollView.From(poll) : null));
}
