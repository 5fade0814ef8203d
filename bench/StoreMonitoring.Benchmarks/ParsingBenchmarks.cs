using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using nietras.SeparatedValues;
using StoreMonitoring.Time;

namespace StoreMonitoring.Benchmarks;

/// <summary>The import's hot path: walking status rows and parsing their timestamps.</summary>
[MemoryDiagnoser]
public class ParsingBenchmarks
{
    private const int Rows = 100_000;
    private string[] _timestamps = [];
    private byte[] _csv = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var start = new DateTime(2024, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        _timestamps = [.. Enumerable.Range(0, Rows).Select(i => start.AddTicks(random.NextInt64(TimeSpan.TicksPerDay * 14) / 10 * 10).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + " UTC")];
        var text = new StringBuilder("store_id,status,timestamp_utc\n");
        for (var i = 0; i < Rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Guid.NewGuid()},{(i % 9 == 0 ? "inactive" : "active")},{_timestamps[i]}\n");
        }

        _csv = Encoding.UTF8.GetBytes(text.ToString());
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public long DateTimeParseExact()
    {
        long sum = 0;
        foreach (var text in _timestamps)
        {
            sum += DateTime.ParseExact(text.AsSpan(0, 26), "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).Ticks;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long TimestampParser_()
    {
        long sum = 0;
        foreach (var text in _timestamps)
        {
            sum += TimestampParser.TryParse(text, out var micros) ? micros : -1;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long SepRowsWithTimestamps()
    {
        long sum = 0;
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, Trim = SepTrim.All }).From(_csv);
        foreach (var row in reader)
        {
            sum += (TimestampParser.TryParse(row[2].Span, out var micros) ? micros : -1) + row[0].Span.Length + row[1].Span.Length;
        }

        return sum;
    }
}
