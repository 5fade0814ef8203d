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

/// <summary>One store's figures, one per window of <see cref="Windows"/>, in the list's order.</summary>
public readonly struct StoreUptime : IEquatable<StoreUptime>
{
    private readonly WindowUptime[] _figures;

    public StoreUptime(IReadOnlyList<ReportWindow> windows, WindowUptime[] figures)
    {
        if (figures.Length != windows.Count)
        {
            throw new ArgumentException($"{figures.Length} figures for {windows.Count} windows", nameof(figures));
        }

        Windows = windows;
        _figures = figures;
    }

    public IReadOnlyList<ReportWindow> Windows { get; }

    public ReadOnlySpan<WindowUptime> Figures => _figures;

    public int Count => _figures.Length;

    public WindowUptime this[int index] => _figures[index];

    public WindowUptime this[ReportWindow window] => _figures[IndexOf(window)];

    /// <summary>The standard windows' figures by name, for code that wants one of them in particular.</summary>
    public WindowUptime LastHour => this[ReportWindow.LastHour];

    public WindowUptime LastDay => this[ReportWindow.LastDay];

    public WindowUptime LastWeek => this[ReportWindow.LastWeek];

    private int IndexOf(ReportWindow window)
    {
        for (var i = 0; i < Windows.Count; i++)
        {
            if (Windows[i] == window)
            {
                return i;
            }
        }

        throw new ArgumentException($"no window {window.Name} among these figures", nameof(window));
    }

    public bool Equals(StoreUptime other) => Windows.SequenceEqual(other.Windows) && Figures.SequenceEqual(other.Figures);

    public override bool Equals(object? obj) => obj is StoreUptime other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var figure in _figures)
        {
            hash.Add(figure);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(StoreUptime left, StoreUptime right) => left.Equals(right);

    public static bool operator !=(StoreUptime left, StoreUptime right) => !left.Equals(right);
}

/// <summary>The windows of a report, all ending at <see cref="Now"/>, narrowest first.</summary>
public readonly record struct ReportWindows
{
    public ReportWindows(long now)
        : this(now, ReportWindow.Standard)
    {
    }

    public ReportWindows(long now, IReadOnlyList<ReportWindow> list)
    {
        ReportWindow.CheckOrder(list);
        Now = now;
        List = list;
    }

    public long Now { get; }

    public IReadOnlyList<ReportWindow> List { get; }

    public int Count => List.Count;

    public long Start(int index) => Now - List[index].Length;

    /// <summary>Where the widest window starts (the week's start for the standard list): what any window's figures can depend on.</summary>
    public long WeekStart => Start(List.Count - 1);
}
