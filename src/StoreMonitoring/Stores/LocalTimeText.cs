using NodaTime;

namespace StoreMonitoring.Stores;

/// <summary>Parses business-hours times: <c>H:mm</c>, <c>HH:mm:ss</c>, with an optional fraction; <c>24:00</c> means midnight at the end of the day.</summary>
public static class LocalTimeText
{
    public static bool TryParse(ReadOnlySpan<char> text, out LocalTime time)
    {
        time = default;
        text = text.Trim();
        var parts = 0;
        Span<int> values = stackalloc int[3];
        var i = 0;
        while (parts < 3)
        {
            var start = i;
            var value = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 2)
            {
                value = value * 10 + (text[i] - '0');
                i++;
            }

            if (i == start)
            {
                return false;
            }

            values[parts++] = value;
            if (i < text.Length && text[i] == ':')
            {
                i++;
                continue;
            }

            break;
        }

        if (parts < 2)
        {
            return false;
        }

        // A fraction of a second changes nothing at minute-scale polling; accept and drop it.
        if (i < text.Length && text[i] == '.' && parts == 3)
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i != text.Length)
        {
            return false;
        }

        int hour = values[0], minute = values[1], second = parts == 3 ? values[2] : 0;
        if (hour == 24 && minute == 0 && second == 0)
        {
            time = BusinessHours.EndOfDay;
            return true;
        }

        if (hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new LocalTime(hour, minute, second);
        return true;
    }

    public static string Format(LocalTime time) => time.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
