using StoreMonitoring.Time;

namespace StoreMonitoring.Lab.Generation;

/// <summary>The status file's timestamp spelling: <c>2024-10-03 23:33:20.412748 UTC</c>, trailing zeros of the fraction dropped as in the real file.</summary>
internal static class StatusTimestamp
{
    public static int Format(long micros, Span<byte> output)
    {
        var days = Math.DivRem(micros, UnixMicros.PerDay, out var ofDay);
        if (ofDay < 0)
        {
            days--;
            ofDay += UnixMicros.PerDay;
        }

        var (year, month, day) = CivilFromDays(days);
        var seconds = ofDay / UnixMicros.PerSecond;
        var fraction = ofDay % UnixMicros.PerSecond;
        var n = 0;
        Digits(output, ref n, year, 4);
        output[n++] = (byte)'-';
        Digits(output, ref n, month, 2);
        output[n++] = (byte)'-';
        Digits(output, ref n, day, 2);
        output[n++] = (byte)' ';
        Digits(output, ref n, seconds / 3600, 2);
        output[n++] = (byte)':';
        Digits(output, ref n, seconds / 60 % 60, 2);
        output[n++] = (byte)':';
        Digits(output, ref n, seconds % 60, 2);
        if (fraction != 0)
        {
            var width = 6;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                width--;
            }

            output[n++] = (byte)'.';
            Digits(output, ref n, fraction, width);
        }

        " UTC"u8.CopyTo(output[n..]);
        return n + 4;
    }

    private static void Digits(Span<byte> output, ref int n, long value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            output[n + i] = (byte)('0' + value % 10);
            value /= 10;
        }

        n += width;
    }

    // Howard Hinnant's civil_from_days, the inverse of TimestampParser's days_from_civil.
    private static (long Year, long Month, long Day) CivilFromDays(long days)
    {
        days += 719468;
        var era = (days >= 0 ? days : days - 146096) / 146097;
        var dayOfEra = days - era * 146097;
        var yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        var dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        var mp = (5 * dayOfYear + 2) / 153;
        var day = dayOfYear - (153 * mp + 2) / 5 + 1;
        var month = mp < 10 ? mp + 3 : mp - 9;
        var year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        return (year, month, day);
    }
}
