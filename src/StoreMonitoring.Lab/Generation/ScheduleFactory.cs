using NodaTime;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Lab.Generation;

/// <summary>The kinds of weekly schedule the real hours file contains, plus the spellings our semantics accept that it does not.</summary>
internal enum ScheduleKind
{
    /// <summary>No rows at all: open 24x7.</summary>
    NoRows,

    /// <summary>00:00:00-23:59:59 every day.</summary>
    AllDay,
    Regular,

    /// <summary>Lunch and dinner, some days also breakfast and a late window: 2-4 windows a day.</summary>
    Split,

    /// <summary>Overnight hours as the real file stores them: 00:00-02:00 and 18:00-23:59:59 on the same day.</summary>
    OvernightTwoWindows,

    /// <summary>Overnight hours as one window whose end is before its start.</summary>
    OvernightWrapping,

    /// <summary>Some days a window whose end equals its start: open 24 hours from the start.</summary>
    TwentyFourFromStart,

    /// <summary>Windows of ten minutes or less, like the real file's 00:00:00-00:01:00 stores.</summary>
    Tiny,

    /// <summary>Windows that overlap or repeat, which merge.</summary>
    Overlapping,

    /// <summary>Open on a few days only.</summary>
    FewDays,

    /// <summary>Boundaries between 01:00 and 03:00, which DST changes skip or repeat.</summary>
    DstHour,

    /// <summary>Some days 00:00:00-23:59:59, the others regular.</summary>
    MixedAllDay,
}

internal static class ScheduleFactory
{
    private static readonly LocalTime EndOfDay = BusinessHours.EndOfDay;

    private static readonly double[] Weights = [8, 5, 30, 18, 12, 8, 3, 3, 4, 5, 2, 2];

    public static (ScheduleKind Kind, List<OpeningWindow> Windows) Create(GeneratorRandom random)
    {
        var kind = (ScheduleKind)random.Pick(Weights);
        var windows = new List<OpeningWindow>();
        var closed = ClosedDays(random, kind);
        var lateWeekend = random.Chance(0.5);
        var breakfast = random.Chance(0.3);
        var late = random.Chance(0.3);
        var (open, close) = RegularHours(random);
        for (var day = 0; day < 7; day++)
        {
            if (kind is not (ScheduleKind.NoRows or ScheduleKind.AllDay) && closed[day])
            {
                continue;
            }

            // Friday and Saturday close an hour later at half the stores.
            var dayClose = lateWeekend && (day is 4 or 5) && close < new LocalTime(22, 59) ? close.PlusHours(1) : close;
            var dayOpen = random.Chance(0.2) ? Clamp(open.PlusMinutes(random.Chance(0.5) ? -60 : 60)) : open;
            switch (kind)
            {
                case ScheduleKind.NoRows:
                    break;
                case ScheduleKind.AllDay:
                    windows.Add(new(day, LocalTime.Midnight, EndOfDay));
                    break;
                case ScheduleKind.Regular:
                case ScheduleKind.FewDays:
                    windows.Add(new(day, dayOpen, dayClose));
                    break;
                case ScheduleKind.Split:
                    if (breakfast && random.Chance(0.7))
                    {
                        windows.Add(new(day, At(random, 6, 7), At(random, 9, 10)));
                    }

                    windows.Add(new(day, At(random, 10, 11, half: true), At(random, 14, 15)));
                    windows.Add(new(day, At(random, 16, 17, half: true), At(random, 21, 22)));
                    if (late && random.Chance(0.6))
                    {
                        windows.Add(new(day, new LocalTime(23, 0), EndOfDay));
                    }

                    break;
                case ScheduleKind.OvernightTwoWindows:
                    windows.Add(new(day, LocalTime.Midnight, At(random, 1, 3)));
                    windows.Add(new(day, At(random, 10, 17), EndOfDay));
                    break;
                case ScheduleKind.OvernightWrapping:
                    if (random.Chance(0.3))
                    {
                        windows.Add(new(day, At(random, 11, 12), new LocalTime(14, 0)));
                    }

                    windows.Add(new(day, At(random, 16, 19), At(random, 0, 3, half: true)));
                    break;
                case ScheduleKind.TwentyFourFromStart:
                    if (random.Chance(0.5))
                    {
                        var start = At(random, 0, 8);
                        windows.Add(new(day, start, start));
                    }
                    else
                    {
                        windows.Add(new(day, dayOpen, dayClose));
                    }

                    break;
                case ScheduleKind.Tiny:
                    if (random.Chance(0.5))
                    {
                        windows.Add(new(day, LocalTime.Midnight, new LocalTime(0, 1)));
                    }
                    else
                    {
                        windows.Add(new(day, dayOpen, dayClose));
                        var tinyStart = At(random, 0, 23);
                        windows.Add(new(day, tinyStart, tinyStart.PlusMinutes(random.NextInt(1, 11))));
                    }

                    break;
                case ScheduleKind.Overlapping:
                    windows.Add(new(day, dayOpen, new LocalTime(15, 0)));
                    windows.Add(new(day, At(random, 13, 15), dayClose));
                    if (random.Chance(0.3))
                    {
                        windows.Add(new(day, dayOpen, new LocalTime(15, 0)));
                    }

                    break;
                case ScheduleKind.DstHour:
                    windows.Add(new(day, new LocalTime(random.Chance(0.5) ? 1 : 2, 30), new LocalTime(10, 0)));
                    windows.Add(new(day, new LocalTime(18, 0), new LocalTime(random.Chance(0.5) ? 1 : 2, random.Chance(0.5) ? 15 : 45)));
                    break;
                default:
                    windows.Add(random.Chance(0.5) ? new(day, LocalTime.Midnight, EndOfDay) : new(day, dayOpen, dayClose));
                    break;
            }
        }

        Shuffle(random, windows);
        return (kind, windows);
    }

    private static bool[] ClosedDays(GeneratorRandom random, ScheduleKind kind)
    {
        var closed = new bool[7];
        var count = kind == ScheduleKind.FewDays ? random.NextInt(3, 7) : random.Pick([70, 25, 5]);
        for (var i = 0; i < count; i++)
        {
            // Sundays and Mondays are the usual closing days.
            closed[random.Chance(0.6) ? (random.Chance(0.5) ? 6 : 0) : random.NextInt(0, 7)] = true;
        }

        return closed;
    }

    private static (LocalTime Open, LocalTime Close) RegularHours(GeneratorRandom random)
    {
        var open = At(random, 6, 11);
        var close = random.Chance(0.1) ? EndOfDay : At(random, 20, 23, half: true);
        return (open, close);
    }

    /// <summary>A time from <paramref name="fromHour"/> to <paramref name="toHour"/> on a quarter or half hour.</summary>
    private static LocalTime At(GeneratorRandom random, int fromHour, int toHour, bool half = false)
    {
        var hour = random.NextInt(fromHour, toHour + 1);
        var minute = half ? 30 * random.NextInt(0, 2) : 15 * random.NextInt(0, 4);
        return new LocalTime(hour, minute);
    }

    private static LocalTime Clamp(LocalTime time) => time < new LocalTime(4, 0) ? new LocalTime(4, 0) : time;

    private static void Shuffle<T>(GeneratorRandom random, List<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.NextInt(0, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
