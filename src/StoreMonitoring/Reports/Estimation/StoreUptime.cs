namespace StoreMonitoring.Reports.Estimation;

/// <summary>
/// What is known of one store in one window, in microseconds of business time.
/// <see cref="Uptime"/> + <see cref="Downtime"/> + <see cref="Unknown"/> = <see cref="Business"/>.
/// </summary>
/// <param name="EstimatedUptime">
/// Uptime plus the unknown time's extrapolated up share: the figure the seven-column CSV reports.
/// </param>
/// <param name="Interval">The 90 % credible interval of the uptime, for the methods that have one (learned).</param>
public readonly record struct WindowUptime(long Uptime, long Downtime, long Unknown, long Business, int Polls, long EstimatedUptime, UptimeInterval? Interval = null)
{
    public long EstimatedDowntime => Business - EstimatedUptime;
}

/// <summary>Bounds of a window's uptime, in microseconds of business time: Low ≤ uptime ≤ High.</summary>
public readonly record struct UptimeInterval(long Low, long High);

public readonly record struct StoreUptime(WindowUptime LastHour, WindowUptime LastDay, WindowUptime LastWeek);

/// <summary>The three windows of a report, all ending at <see cref="Now"/>.</summary>
public readonly record struct ReportWindows(long Now)
{
    public long HourStart => Now - Time.UnixMicros.PerHour;

    public long DayStart => Now - Time.UnixMicros.PerDay;

    public long WeekStart => Now - 7 * Time.UnixMicros.PerDay;
}
