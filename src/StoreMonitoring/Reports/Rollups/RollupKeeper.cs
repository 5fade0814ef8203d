using System.Data.Common;
using System.Runtime.InteropServices;
using Dapper;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>
/// Keeps <c>store_days</c> current inside the transaction that brought the polls, after the
/// incidents (whose counts the rows carry) are written: only the dates new polls can change.
/// </summary>
/// <remarks>
/// <para>The reach of a poll: the cover between polls i and i+1 depends on polls i-1 to i+2 and lies
/// between them, so a new poll n changes time only from poll n-2 on. Its dates are recomputed from
/// the local date of poll n-2 (to the end); a date's row needs every poll whose cover can reach it
/// (the polls on it and the last one before it) with two more before that one, so their covers are
/// the covers a computation over all polls gives. With fewer polls before, the store's history is
/// read whole.</para>
/// <para>A store recomputed whole (a file, an edit of its hours or zone) loses every row and gets
/// the rows its polls give, except the rows of dates whose polls retention removed: those stay
/// (<see cref="FrozenDates"/>).</para>
/// </remarks>
public static class RollupKeeper
{
    // How far before a store's earliest new poll the batched reads go, hoping to find the polls it
    // needs: a day and a half reaches the start of the date two hourly polls back and three polls
    // before it; three days reach back over a closed day; the rest are read whole, on their own.
    private static readonly long[] Windows = [36 * Time.UnixMicros.PerHour, 3 * Time.UnixMicros.PerDay];

    [ThreadStatic]
    private static Scratch? t_scratch;

    private static Scratch Reused => t_scratch ??= new Scratch();

    /// <summary>This thread's reused buffer of rows to write, emptied.</summary>
    public static Pending TakePending()
    {
        var pending = Reused.Pending;
        pending.Clear();
        return pending;
    }

    /// <summary>A store's rows from all its polls and incidents, held by the caller: the bulk path, written by <see cref="Write"/>.</summary>
    public static void AddWhole(ReadOnlySpan<Poll> polls, StoreProfile store, EstimatorSettings settings, List<Incident> incidents, Pending pending)
    {
        pending.Deletes.Add((store.Key, null, store.Zone));
        DayRollups.Compute(polls, store, settings, CollectionsMarshal.AsSpan(incidents), null, Reused.Buffers, pending.Rows);
    }

    /// <summary>
    /// Writes what <see cref="AddWhole"/> gathered, and clears it. Dates whose raw polls retention
    /// removed are left as they are (<see cref="FrozenDates"/>): neither deleted nor rewritten.
    /// </summary>
    public static void Write(DbConnection connection, DbTransaction transaction, SqlDialect dialect, Pending pending)
    {
        var zones = new Dictionary<int, NodaTime.DateTimeZone>(pending.Deletes.Count);
        foreach (var (key, _, zone) in pending.Deletes)
        {
            zones[key] = zone;
        }

        var frozen = zones.Count == 0 ? [] : FrozenDates.FirstWritable(connection, transaction, zones);
        using var writer = dialect.CreateDayRollupWriter(connection, transaction);
        foreach (var (key, from, _) in pending.Deletes)
        {
            if (!frozen.TryGetValue(key, out var first))
            {
                writer.DeleteFrom(key, from);
            }
            else if (first != int.MaxValue)
            {
                writer.DeleteFrom(key, from is { } date ? Math.Max(date, first) : first);
            }
        }

        foreach (ref readonly var row in CollectionsMarshal.AsSpan(pending.Rows))
        {
            if (frozen.Count == 0 || !frozen.TryGetValue(row.StoreKey, out var first) || row.Date >= first)
            {
                writer.Add(row);
            }
        }

        writer.Flush();
        pending.Clear();
    }

    /// <summary>Recomputes one store's rows from all its stored polls and incidents.</summary>
    public static void RecomputeWhole(DbConnection connection, DbTransaction transaction, SqlDialect dialect, StoreProfile store, EstimatorSettings settings)
    {
        var polls = connection.Query<(long At, long Active)>(
            "SELECT observed_at_us, active FROM store_status WHERE store_key = @key ORDER BY observed_at_us", new { key = store.Key }, transaction)
            .Select(p => new Poll(p.At, p.Active != 0)).ToArray();
        var incidents = LoadIncidents(connection, transaction, store.Key, from: null);
        var pending = Reused.Pending;
        pending.Clear();
        AddWhole(polls, store, settings, incidents, pending);
        Write(connection, transaction, dialect, pending);
    }

    /// <summary>
    /// The usual case: every touched store's recent polls and incidents in a few queries, its
    /// dates from the reach of its earliest new poll recomputed.
    /// </summary>
    /// <param name="touched">Per store key, the earliest poll the batch brought.</param>
    public static void UpdateRecent(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, IReadOnlyDictionary<int, long> touched, Func<int, StoreProfile> profile, EstimatorSettings settings)
    {
        if (touched.Count == 0)
        {
            return;
        }

        IReadOnlyDictionary<int, long> remaining = touched;
        foreach (var window in Windows)
        {
            remaining = UpdateWithin(connection, transaction, dialect, remaining, window, profile, settings);
            if (remaining.Count == 0)
            {
                return;
            }
        }

        foreach (var key in remaining.Keys)
        {
            RecomputeWhole(connection, transaction, dialect, profile(key), settings);
        }
    }

    /// <summary>The touched stores whose needed polls lie within <paramref name="window"/>; returns the others.</summary>
    private static Dictionary<int, long> UpdateWithin(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, IReadOnlyDictionary<int, long> touched, long window, Func<int, StoreProfile> profile, EstimatorSettings settings)
    {
        var (firsts, polls) = TouchedPolls.Read(connection, transaction, dialect, "rollup_stores", touched, window);

        var incidents = connection.Query<StoredIncident>(
                $"SELECT {StoredIncident.ColumnsOf("i")} FROM rollup_stores t {dialect.OuterFirstJoin} incidents i ON i.store_key = t.store_key AND i.start_us >= t.from_us",
                transaction: transaction)
            .GroupBy(i => i.StoreKey).ToDictionary(g => g.Key, g => g.OrderBy(i => i.StartUs).Select(ToIncident).ToList());

        var wider = new Dictionary<int, long>();
        var scratch = Reused;
        var pending = scratch.Pending;
        pending.Clear();
        foreach (var (key, earliest) in touched)
        {
            var loaded = polls.GetValueOrDefault(key) ?? [];
            var complete = firsts.GetValueOrDefault(key) is not { } first || (loaded.Count > 0 && loaded[0].At == first);
            var span = CollectionsMarshal.AsSpan(loaded);
            var firstNew = StoreReport.FirstAtOrAfter(span, earliest);
            var store = profile(key);
            if (firstNew < 2)
            {
                if (!complete)
                {
                    wider[key] = earliest;
                    continue;
                }

                // The store's first polls: its incidents may start before the window.
                pending.Deletes.Add((key, null, store.Zone));
                DayRollups.Compute(span, store, settings, CollectionsMarshal.AsSpan(LoadIncidents(connection, transaction, key, from: null)), null, scratch.Buffers, pending.Rows);
                continue;
            }

            var fromDate = LocalDates.DateOf(span[firstNew - 2].At, store.Zone);
            var before = StoreReport.FirstAtOrAfter(span, LocalDates.StartOf(fromDate, store.Zone));
            if (before < 3 && !complete)
            {
                wider[key] = earliest;
                continue;
            }

            var slice = complete ? span : span[(before - 3)..];
            var started = complete ? LoadIncidents(connection, transaction, key, from: null) : incidents.GetValueOrDefault(key);
            pending.Deletes.Add((key, LocalDates.ToKey(fromDate), store.Zone));
            DayRollups.Compute(slice, store, settings, CollectionsMarshal.AsSpan(started), fromDate, scratch.Buffers, pending.Rows);
        }

        Write(connection, transaction, dialect, pending);
        return wider;
    }

    /// <summary>The store's incidents starting at or after <paramref name="from"/>; all of them when null.</summary>
    private static List<Incident> LoadIncidents(DbConnection connection, DbTransaction transaction, int key, long? from) =>
        connection.Query<StoredIncident>(
                from is null
                    ? $"SELECT {StoredIncident.Columns} FROM incidents WHERE store_key = @key ORDER BY start_us"
                    : $"SELECT {StoredIncident.Columns} FROM incidents WHERE store_key = @key AND start_us >= @from ORDER BY start_us",
                new { key, from }, transaction)
            .Select(ToIncident).ToList();

    private static Incident ToIncident(StoredIncident i) => new(i.StartUs, i.EndUs, i.DownUs, (int)i.Polls, i.FirstPollUs, i.LastPollUs);

    /// <summary>Rows gathered for one write: the stores' deletions, then their new rows.</summary>
    public sealed class Pending
    {
        /// <summary>Each store's first local date to delete from (null deletes all its rows), and its zone (what its frozen dates are counted in).</summary>
        internal List<(int Key, int? From, NodaTime.DateTimeZone Zone)> Deletes { get; } = new(1024);

        internal List<DayRollup> Rows { get; } = new(1024);

        internal void Clear()
        {
            Deletes.Clear();
            Rows.Clear();
        }
    }

    private sealed class Scratch
    {
        public DayRollups.Buffers Buffers { get; } = new();

        public Pending Pending { get; } = new();
    }
}
