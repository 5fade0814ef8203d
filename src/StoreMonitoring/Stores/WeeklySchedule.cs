using NodaTime;

namespace StoreMonitoring.Stores;

/// <summary>One row of the business-hours file: a local opening window on a day of the week.</summary>
/// <param name="DayOfWeek">0 = Monday ... 6 = Sunday, as in the input files.</param>
public readonly record struct OpeningWindow(int DayOfWeek, LocalTime Start, LocalTime End);

/// <summary>A store's weekly business hours. No windows at all means open 24x7.</summary>
public sealed class WeeklySchedule
{
    public static readonly WeeklySchedule AlwaysOpen = new([]);

    private readonly OpeningWindow[][] _byDay;

    public WeeklySchedule(IEnumerable<OpeningWindow> windows)
    {
        Windows = [.. windows];
        foreach (var w in Windows)
        {
            if (w.DayOfWeek is < 0 or > 6)
            {
                throw new ArgumentOutOfRangeException(nameof(windows), w.DayOfWeek, "Day of week must be 0 (Monday) to 6 (Sunday).");
            }
        }

        _byDay = new OpeningWindow[7][];
        for (var day = 0; day < 7; day++)
        {
            _byDay[day] = [.. Windows.Where(w => w.DayOfWeek == day)];
        }
    }

    public IReadOnlyList<OpeningWindow> Windows { get; }

    public bool IsAlwaysOpen => Windows.Count == 0;

    internal ReadOnlySpan<OpeningWindow> On(int dayOfWeek) => _byDay[dayOfWeek];
}
