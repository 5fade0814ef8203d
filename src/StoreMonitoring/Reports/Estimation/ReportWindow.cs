using StoreMonitoring.Time;

namespace StoreMonitoring.Reports.Estimation;

/// <summary>
/// A report window: the time before now it covers, the unit its figures are printed in, and the
/// stem of its columns in <c>report_rows</c>. Everything that shows or stores figures iterates
/// over <see cref="Standard"/>, so a window is added there (plus a migration for its columns).
/// </summary>
/// <param name="Name">The CSV's and JSON's name: <c>uptime_{Name}</c>, <c>"{Name}": {...}</c>.</param>
/// <param name="Length">How far before now the window starts, in microseconds.</param>
/// <param name="Unit">The unit of its printed figures, in microseconds.</param>
/// <param name="UnitName">The unit's name in JSON (<c>units</c>) and on the store page.</param>
/// <param name="Column">The stem of its columns in <c>report_rows</c> (<c>{Column}_up</c>, ...).</param>
/// <param name="UnknownToLikelier">
/// The interpolating estimate gives all the window's unknown time to the likelier state instead of
/// sharing it out: right for a window so short that a store's state seldom changes within it.
/// </param>
public sealed record ReportWindow(string Name, long Length, long Unit, string UnitName, string Column, bool UnknownToLikelier)
{
    public static readonly ReportWindow LastHour = new("last_hour", UnixMicros.PerHour, UnixMicros.PerMinute, "minutes", "hour", UnknownToLikelier: true);

    public static readonly ReportWindow LastDay = new("last_day", UnixMicros.PerDay, UnixMicros.PerHour, "hours", "day", UnknownToLikelier: false);

    public static readonly ReportWindow LastWeek = new("last_week", 7 * UnixMicros.PerDay, UnixMicros.PerHour, "hours", "week", UnknownToLikelier: false);

    /// <summary>The report's windows, narrowest first: the one list to change to add a window.</summary>
    public static IReadOnlyList<ReportWindow> Standard { get; } = [LastHour, LastDay, LastWeek];

    /// <summary>
    /// Narrowest first is what the estimators rely on: a ratio window without polls borrows the
    /// next wider window's share, and the widest one decides which polls matter.
    /// </summary>
    internal static void CheckOrder(IReadOnlyList<ReportWindow> list)
    {
        if (list.Count == 0)
        {
            throw new ArgumentException("a report needs at least one window", nameof(list));
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Length <= 0 || list[i].Unit <= 0)
            {
                throw new ArgumentException($"window {list[i].Name}: its length and unit must be positive", nameof(list));
            }

            if (i > 0 && list[i].Length <= list[i - 1].Length)
            {
                throw new ArgumentException($"window {list[i].Name} is not wider than {list[i - 1].Name}: list windows narrowest first", nameof(list));
            }
        }
    }
}
