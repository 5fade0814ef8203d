namespace StoreMonitoring.Storage;

/// <summary>One validated poll on its way into <c>store_status</c>, with the input line it came from.</summary>
public readonly record struct Observation(int StoreKey, long ObservedAtUs, bool Active, long Line);

/// <summary>A poll that contradicts one already accepted for the same store and instant.</summary>
/// <param name="KeptActive">The status that stays: the one accepted first.</param>
public readonly record struct ObservationConflict(Observation Rejected, bool KeptActive);

/// <summary>What a bulk load did: new polls, exact repeats and contradictions of accepted ones.</summary>
public sealed record ObservationLoadResult(long Inserted, long Unchanged, long Conflicts, IReadOnlyList<ObservationConflict> ConflictExamples);

/// <summary>
/// Receives validated polls and writes them in bulk inside the caller's transaction. Polls are
/// unique per store and instant: the first one accepted wins, a repeat counts as unchanged and a
/// contradiction (same instant, other status) as a conflict, reported with its line.
/// </summary>
/// <remarks>
/// Rows are buffered in chunks and sorted by key before they are written, so each store's rows land
/// together in the clustered table. Ties sort by line, so within a file the first line wins.
/// Synchronous on purpose: the import loop walks Sep's span-based rows, which cannot live across an await.
/// </remarks>
public abstract class ObservationLoader : IDisposable
{
    private const int MaxConflictExamples = 20;

    private readonly Observation[] _chunk;
    private readonly List<ObservationConflict> _examples = [];
    private int _buffered;
    private long _inserted;
    private long _unchanged;
    private long _conflicts;

    protected ObservationLoader(int chunkRows) => _chunk = new Observation[chunkRows];

    public void Add(in Observation observation)
    {
        _chunk[_buffered++] = observation;
        if (_buffered == _chunk.Length)
        {
            Flush();
        }
    }

    public ObservationLoadResult Complete()
    {
        Flush();
        WaitForWrites();
        lock (_examples)
        {
            return new ObservationLoadResult(_inserted, _unchanged, _conflicts, [.. _examples]);
        }
    }

    /// <summary>Waits for the writes in flight, so that the connection is free for another statement (a new store's registration).</summary>
    public void FreeConnection() => WaitForWrites();

    /// <summary>Writes sorted rows, unique by (store, instant), counting through the Count methods.</summary>
    protected abstract void Write(ReadOnlySpan<Observation> rows);

    /// <summary>Waits for writes still in flight, for loaders that overlap writing with parsing.</summary>
    protected virtual void WaitForWrites()
    {
    }

    protected void CountInserted(long rows) => Interlocked.Add(ref _inserted, rows);

    protected void CountUnchanged(long rows) => Interlocked.Add(ref _unchanged, rows);

    protected void CountConflict(in Observation rejected, bool keptActive)
    {
        Interlocked.Increment(ref _conflicts);
        lock (_examples)
        {
            if (_examples.Count < MaxConflictExamples)
            {
                _examples.Add(new ObservationConflict(rejected, keptActive));
            }
        }
    }

    private void Flush()
    {
        var rows = _chunk.AsSpan(0, _buffered);
        _buffered = 0;
        if (rows.IsEmpty)
        {
            return;
        }

        rows.Sort(static (a, b) =>
            a.StoreKey != b.StoreKey ? a.StoreKey.CompareTo(b.StoreKey)
            : a.ObservedAtUs != b.ObservedAtUs ? a.ObservedAtUs.CompareTo(b.ObservedAtUs)
            : a.Line.CompareTo(b.Line));

        // Repeats inside the chunk are settled here, so the engines only ever see unique keys.
        var unique = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            if (unique > 0 && rows[unique - 1].StoreKey == rows[i].StoreKey && rows[unique - 1].ObservedAtUs == rows[i].ObservedAtUs)
            {
                if (rows[unique - 1].Active == rows[i].Active)
                {
                    CountUnchanged(1);
                }
                else
                {
                    CountConflict(rows[i], rows[unique - 1].Active);
                }

                continue;
            }

            rows[unique++] = rows[i];
        }

        Write(rows[..unique]);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
