using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Calendars;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>
/// A range of whole local dates, each store's own in its own zone: <c>day:2024-10-13</c>,
/// <c>week:2024-W41</c> (ISO), <c>month:2024-10</c>, <c>quarter:2024-Q4</c>,
/// <c>range:2024-10-01..2024-10-15</c>, or the rolling <c>last_7_days</c> and <c>last_30_days</c>
/// (whole dates up to and including the date of now).
/// </summary>
public sealed partial record Period
{
    /// <summary>The longest range accepted: two years of dates, more than rollups are kept for by default.</summary>
    public const int MaxDates = 732;

    private const int MaxLength = 64;

    private Period(string text, LocalDate? from, LocalDate? to, int rollingDays)
    {
        Text = text;
        FixedFrom = from;
        FixedTo = to;
        RollingDays = rollingDays;
    }

    /// <summary>The period as asked (normalised to lower case).</summary>
    public string Text { get; }

    public LocalDate? FixedFrom { get; }

    public LocalDate? FixedTo { get; }

    /// <summary>For a rolling period, how many dates up to the date of now; 0 for a fixed one.</summary>
    public int RollingDays { get; }

    /// <summary>The dates for a store in <paramref name="zone"/> when it is <paramref name="now"/>.</summary>
    public (LocalDate From, LocalDate To) Resolve(DateTimeZone zone, long now)
    {
        if (FixedFrom is { } from && FixedTo is { } to)
        {
            return (from, to);
        }

        var today = LocalDates.DateOf(now, zone);
        return (today.PlusDays(1 - RollingDays), today);
    }

    /// <summary>Parses a period; <paramref name="problem"/> says what is wrong with it, naming the value.</summary>
    public static bool TryParse(string? text, out Period period, out string problem)
    {
        period = null!;
        problem = string.Empty;
        var value = text?.Trim().ToLowerInvariant() ?? string.Empty;
        if (value.Length == 0)
        {
            problem = "period is empty: use day:YYYY-MM-DD, week:YYYY-Www, month:YYYY-MM, quarter:YYYY-Qn, range:YYYY-MM-DD..YYYY-MM-DD, last_7_days or last_30_days";
            return false;
        }

        var shown = value.Length > MaxLength ? value[..MaxLength] + "…" : value;
        if (value.Length > MaxLength)
        {
            problem = $"period '{shown}' is longer than {MaxLength} characters";
            return false;
        }

        switch (value)
        {
            case "last_7_days":
                period = new Period(value, null, null, 7);
                return true;
            case "last_30_days":
                period = new Period(value, null, null, 30);
                return true;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? value : value[..colon];
        var argument = colon < 0 ? string.Empty : value[(colon + 1)..];
        LocalDate from, to;
        switch (kind)
        {
            case "day" when TryDate(argument, out from):
                to = from;
                break;
            case "week" when WeekPattern().Match(argument) is { Success: true } m
                && int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) is var year and >= 1900 and <= 9999
                && int.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture) is var week and >= 1
                && week <= WeekYearRules.Iso.GetWeeksInWeekYear(year):
                from = WeekYearRules.Iso.GetLocalDate(year, week, IsoDayOfWeek.Monday);
                to = from.PlusDays(6);
                break;
            case "month" when MonthPattern().Match(argument) is { Success: true } m
                && int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) is var year and >= 1900 and <= 9999
                && int.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture) is var month and >= 1 and <= 12:
                from = new LocalDate(year, month, 1);
                to = from.PlusMonths(1).PlusDays(-1);
                break;
            case "quarter" when QuarterPattern().Match(argument) is { Success: true } m
                && int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) is var year and >= 1900 and <= 9999:
                from = new LocalDate(year, 3 * (m.Groups[2].ValueSpan[0] - '1') + 1, 1);
                to = from.PlusMonths(3).PlusDays(-1);
                break;
            case "range" when argument.Split("..") is [var a, var b] && TryDate(a, out from) && TryDate(b, out to):
                if (to < from)
                {
                    problem = $"period '{shown}' ends before it starts";
                    return false;
                }

                if (NodaTime.Period.Between(from, to, PeriodUnits.Days).Days + 1 > MaxDates)
                {
                    problem = $"period '{shown}' spans more than {MaxDates} dates";
                    return false;
                }

                break;
            case "day" or "week" or "month" or "quarter" or "range":
                problem = $"period '{shown}' is not a valid {kind}: use {Example(kind)}";
                return false;
            default:
                problem = $"period '{shown}' is not one of day:YYYY-MM-DD, week:YYYY-Www, month:YYYY-MM, quarter:YYYY-Qn, range:YYYY-MM-DD..YYYY-MM-DD, last_7_days, last_30_days";
                return false;
        }

        period = new Period(value, from, to, 0);
        return true;
    }

    private static string Example(string kind) => kind switch
    {
        "day" => "day:2024-10-13",
        "week" => "week:2024-W41 (ISO weeks, 01 to 52 or 53)",
        "month" => "month:2024-10",
        "quarter" => "quarter:2024-Q4",
        _ => "range:2024-10-01..2024-10-15",
    };

    private static bool TryDate(string text, out LocalDate date)
    {
        date = default;
        if (!DatePattern().IsMatch(text))
        {
            return false;
        }

        var result = NodaTime.Text.LocalDatePattern.Iso.Parse(text);
        if (!result.Success || result.Value.Year < 1900)
        {
            return false;
        }

        date = result.Value;
        return true;
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    private static partial Regex DatePattern();

    [GeneratedRegex("^([0-9]{4})-w([0-9]{2})$")]
    private static partial Regex WeekPattern();

    [GeneratedRegex("^([0-9]{4})-([0-9]{2})$")]
    private static partial Regex MonthPattern();

    [GeneratedRegex("^([0-9]{4})-q([1-4])$")]
    private static partial Regex QuarterPattern();
}
