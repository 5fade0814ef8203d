using System.Globalization;
using System.Text;
using StoreMonitoring.Import;
using StoreMonitoring.Reports;
using StoreMonitoring.Time;

namespace StoreMonitoring.Lab.Generation;

/// <summary>What a generation wrote.</summary>
/// <param name="Now">The latest poll written: the report's default <c>now</c> and the end of the truth's windows.</param>
/// <param name="DstZonesInLastWeek">The written zones whose UTC offset changes in the week before <paramref name="Now"/>.</param>
public sealed record GenerationSummary(
    long Start, long End, long Now, long StatusRows, int StoresPolled, int StoresListed, int HoursRows, int TimezoneRows, int TruthRows, IReadOnlyList<string> DstZonesInLastWeek);

/// <summary>
/// Writes a synthetic data set in the real files' formats, plus the exact figures behind it:
/// <c>store_status.csv</c>, <c>menu_hours.csv</c>, <c>timezones.csv</c>, <c>truth.csv</c> (the
/// report's seven columns) and <c>profiles.csv</c> (how each store was generated).
/// </summary>
/// <remarks>
/// <para>Each store has a hidden timeline of up and down periods; a poll reports the state at its
/// instant, wrong once in <see cref="GeneratorOptions.PollErrorRate"/>. The truth is that timeline
/// intersected with the store's business hours, so it is what a perfect estimator would report.</para>
/// <para>Status rows are produced an hour at a time across all stores and written as they are
/// sorted, so memory holds one hour of polls, never the file.</para>
/// </remarks>
public static class DataGenerator
{
    public const string TruthFileName = "truth.csv";
    public const string ProfilesFileName = "profiles.csv";

    public static GenerationSummary Generate(GeneratorOptions options, string directory) => Write(GeneratedWorld.Create(options), directory);

    internal static GenerationSummary Write(GeneratedWorld world, string directory)
    {
        Directory.CreateDirectory(directory);
        var listed = Shuffled(world);
        var hoursRows = WriteHours(Path.Combine(directory, InputFiles.HoursName), listed);
        var timezoneRows = WriteTimezones(Path.Combine(directory, InputFiles.TimezonesName), listed);
        var polls = WriteStatus(Path.Combine(directory, InputFiles.StatusName), world);
        var truth = WriteTruth(Path.Combine(directory, TruthFileName), world, polls);
        WriteProfiles(Path.Combine(directory, ProfilesFileName), world, polls);
        return new GenerationSummary(
            world.Start, world.End, polls.Now, polls.Rows, polls.Stores, world.Stores.Count, hoursRows, timezoneRows, truth, DstZones(world, polls.Now));
    }

    private sealed record PollCounts(long Now, long Rows, int Stores, int[] PerStore);

    private readonly record struct PollRow(long SortKey, long At, int Store, bool Active) : IComparable<PollRow>
    {
        public int CompareTo(PollRow other)
        {
            var byKey = SortKey.CompareTo(other.SortKey);
            return byKey != 0 ? byKey : Store.CompareTo(other.Store);
        }
    }

    private static PollCounts WriteStatus(string path, GeneratedWorld world)
    {
        var seed = world.Options.Seed;
        var polled = world.Stores.Where(s => s.Polled).ToArray();
        var clocks = polled.Select(s => new PollClock(s.Plan!, GeneratorRandom.For(seed, GeneratedWorld.PollStream, s.Index), s.OpenHours)).ToArray();
        var errors = polled.Select(s => GeneratorRandom.For(seed, GeneratedWorld.PollStream + 100, s.Index)).ToArray();
        var ids = polled.Select(s => Encoding.ASCII.GetBytes(s.StoreId)).ToArray();
        var cursors = new int[polled.Length];
        var counts = new int[world.Stores.Count];
        var order = GeneratorRandom.For(seed, GeneratedWorld.WorldStream, 1);
        var errorRate = world.Options.PollErrorRate;

        using var output = new ByteOutput(path);
        output.Write([0xEF, 0xBB, 0xBF]);
        output.Write("store_id,status,timestamp_utc\n"u8);
        var rows = new List<PollRow>(polled.Length * 8);
        long now = long.MinValue, total = 0;
        var firstBucket = Math.Floor((double)world.Start / UnixMicros.PerHour) * UnixMicros.PerHour;
        for (var bucket = (long)firstBucket - UnixMicros.PerHour; bucket < world.End; bucket += UnixMicros.PerHour)
        {
            var bucketEnd = bucket + UnixMicros.PerHour;
            rows.Clear();
            for (var i = 0; i < polled.Length; i++)
            {
                var clock = clocks[i];
                while (clock.Next < bucketEnd)
                {
                    if (!clock.Take(out var at))
                    {
                        continue;
                    }

                    var active = TrueTimeline.IsUp(polled[i].Down, at, ref cursors[i]);
                    if (errorRate > 0 && errors[i].Chance(errorRate))
                    {
                        active = !active;
                    }

                    // Sorted on a key up to a second off, so the file is in time order only roughly, as the real one is.
                    rows.Add(new PollRow(at + order.NextLong(0, UnixMicros.PerSecond), at, i, active));
                }
            }

            rows.Sort();
            foreach (var row in rows)
            {
                output.WriteStatusRow(ids[row.Store], row.Active, row.At);
                counts[polled[row.Store].Index]++;
                now = Math.Max(now, row.At);
            }

            total += rows.Count;
        }

        return new PollCounts(now, total, counts.Count(c => c > 0), counts);
    }

    private static int WriteTruth(string path, GeneratedWorld world, PollCounts polls)
    {
        // Only stores polled at or before now appear in a report; every poll written is.
        var rows = world.Stores
            .Where(s => s.Polled && polls.PerStore[s.Index] > 0)
            .Select(s => GroundTruth.Compute(s.StoreId, s.Schedule, s.Zone, s.Down, polls.Now))
            .ToList();
        rows.Sort(static (a, b) => StoreIdOrder.Compare(a.StoreId, b.StoreId));
        using var writer = NewWriter(path);
        writer.Write(ReportCsv.Header + "\n");
        foreach (var row in rows)
        {
            writer.Write(row.StoreId);
            foreach (var value in (ReadOnlySpan<long>)[row.UptimeHour, row.UptimeDay, row.UptimeWeek, row.DowntimeHour, row.DowntimeDay, row.DowntimeWeek])
            {
                writer.Write(',');
                writer.Write(WindowFigures.Format(value));
            }

            writer.Write('\n');
        }

        return rows.Count;
    }

    private static int WriteHours(string path, IReadOnlyList<GeneratedStore> stores)
    {
        using var writer = NewWriter(path);
        writer.Write("store_id,dayOfWeek,start_time_local,end_time_local");
        var rows = 0;
        foreach (var store in stores)
        {
            foreach (var window in store.Windows)
            {
                // Like the real file: no newline after the last row.
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"\n{store.StoreId},{window.DayOfWeek},{window.Start:HH:mm:ss},{window.End:HH:mm:ss}"));
                rows++;
            }
        }

        return rows;
    }

    private static int WriteTimezones(string path, IReadOnlyList<GeneratedStore> stores)
    {
        using var writer = NewWriter(path);
        writer.Write("store_id,timezone_str");
        var rows = 0;
        // The real file is grouped by zone.
        foreach (var store in stores.Where(s => s.TimezoneName is not null).OrderBy(s => s.TimezoneName, StringComparer.Ordinal))
        {
            writer.Write($"\n{store.StoreId},{store.TimezoneName}");
            rows++;
        }

        return rows;
    }

    private static void WriteProfiles(string path, GeneratedWorld world, PollCounts polls)
    {
        using var writer = NewWriter(path);
        writer.Write("store_id,polled,polls,schedule,reliability,mean_up_hours,offline_outside_hours,polling,timezone\n");
        foreach (var store in world.Stores.OrderBy(s => s.StoreId, StringComparer.Ordinal))
        {
            var meanUp = store.Reliability is { } r && !double.IsPositiveInfinity(r.MeanUpSeconds) ? (r.MeanUpSeconds / 3600).ToString("0.0", CultureInfo.InvariantCulture) : "";
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{store.StoreId},{(store.Polled ? 1 : 0)},{polls.PerStore[store.Index]},{store.ScheduleKind},{store.Reliability?.Kind},{meanUp},{(store.OfflineOutsideHours ? 1 : 0)},{store.Plan?.Kind},{store.TimezoneName}\n"));
        }
    }

    private static List<GeneratedStore> Shuffled(GeneratedWorld world)
    {
        var random = GeneratorRandom.For(world.Options.Seed, GeneratedWorld.WorldStream, 2);
        var stores = world.Stores.ToList();
        for (var i = stores.Count - 1; i > 0; i--)
        {
            var j = random.NextInt(0, i + 1);
            (stores[i], stores[j]) = (stores[j], stores[i]);
        }

        return stores;
    }

    private static List<string> DstZones(GeneratedWorld world, long now)
    {
        var weekStart = NodaTime.Instant.FromUnixTimeTicks((now - 7 * UnixMicros.PerDay) * 10);
        var end = NodaTime.Instant.FromUnixTimeTicks(now * 10);
        return [.. world.Stores
            .Select(s => s.Zone)
            .Distinct()
            .Where(z => z.GetZoneInterval(weekStart) is { HasEnd: true } interval && interval.End < end)
            .Select(z => z.Id)
            .Order(StringComparer.Ordinal)];
    }

    private static StreamWriter NewWriter(string path) => new(path, false, new UTF8Encoding(false), 1 << 16);

    /// <summary>A file written through one large buffer; status rows are formatted straight into it.</summary>
    private sealed class ByteOutput(string path) : IDisposable
    {
        private readonly FileStream _stream = new(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.SequentialScan);
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _used;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (_used + bytes.Length > _buffer.Length)
            {
                Flush();
            }

            bytes.CopyTo(_buffer.AsSpan(_used));
            _used += bytes.Length;
        }

        public void WriteStatusRow(byte[] storeId, bool active, long at)
        {
            if (_used + 128 > _buffer.Length)
            {
                Flush();
            }

            var span = _buffer.AsSpan(_used);
            storeId.CopyTo(span);
            var n = storeId.Length;
            span[n++] = (byte)',';
            var status = active ? "active,"u8 : "inactive,"u8;
            status.CopyTo(span[n..]);
            n += status.Length;
            n += StatusTimestamp.Format(at, span[n..]);
            span[n++] = (byte)'\n';
            _used += n;
        }

        public void Dispose()
        {
            Flush();
            _stream.Dispose();
        }

        private void Flush()
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
