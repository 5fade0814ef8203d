namespace StoreMonitoring.Reports.Estimation;

/// <summary>
/// What is known of one store in one window, in microseconds of business time.
/// <see cref="Uptime"/> + <see cref="Downtime"/> + <see cref="Unknown"/> = <see cref="Business"/>.
/// </summary>
/// <param name="EstimatedUptime">
/// Uptime plus the unknown time's extrapolated up share: the figure the seven-column CSV reports.
/// </param>
public readonly record struct WindowUptime(long Uptime, long Downtime, long Unknown, long Business, int Polls, long EstimatedUptime)
{
    public long EstimatedDowntime => Business - EstimatedUptime;
}

public readonly record struct StoreUptime(WindowUptime LastHour, WindowUptime LastDay, WindowUptime LastWeek);

/// <summary>The three windows of a report, all ending at <see cref="Now"/>.</summary>
public readonly record struct ReportWindows(long Now)
{
    public long HourStart => Now - Time.UnixMicros.PerHour;

    public long DayStart => Now - Time.UnixMicros.PerDay;

    public long WeekStart => Now - 7 * Time.UnixMicros.PerDay;
}
