using System.Data.Common;
using System.Diagnostics.Metrics;

namespace StoreMonitoring.Storage;

/// <summary>What a failed statement says about the other writers: the kinds do not overlap.</summary>
public enum DbErrorKind
{
    /// <summary>Not a matter of concurrency: no retry helps.</summary>
    Other,

    /// <summary>A key another writer inserted first (MySQL 1062, SQLite constraint).</summary>
    DuplicateKey,

    /// <summary>Another writer held a lock for longer than the statement would wait (MySQL 1205, SQLite busy or locked).</summary>
    LockTimeout,

    /// <summary>The transaction lost to a concurrent writer of the same rows and may simply run again (MySQL 1213: a deadlock, a lost Galera certification).</summary>
    WriteConflict,
}

/// <summary>
/// How one kind of write meets lost races: how many attempts in all, the pause before the next one
/// (random between <see cref="MinPause"/> and a ceiling of <see cref="Step"/> doubling per attempt,
/// at most <see cref="MaxPause"/>, so two writers of the same rows stop meeting), and which error
/// kinds it runs again on. A lock timeout already waited for the other writer: it gets at most
/// <see cref="LockTimeoutAttempts"/> attempts.
/// </summary>
public sealed record RetryPolicy(string Name, int Attempts, int LockTimeoutAttempts, TimeSpan MinPause, TimeSpan Step, TimeSpan MaxPause, params DbErrorKind[] RetriedOn)
{
    private static readonly DbErrorKind[] Contention = [DbErrorKind.WriteConflict, DbErrorKind.LockTimeout];

    /// <summary>
    /// An import file's transaction (or chunk): rolled back whole, so reading the file again is
    /// safe; long, so few attempts and long pauses. It loses to poll batches of the same stores (a
    /// deadlock, a lost Galera certification); new store keys come from the database, so no
    /// duplicate key.
    /// </summary>
    public static readonly RetryPolicy ImportFile = new("import_file", 3, 3, Ms(50), Ms(250), Ms(1000), Contention);

    /// <summary>
    /// A <c>POST /polls</c> batch: two instances on two Galera nodes writing the same stores lose to
    /// each other again and again (the same polls, the same new stores); three immediate attempts
    /// were not enough there.
    /// </summary>
    public static readonly RetryPolicy PollBatch = new("poll_batch", 10, 3, Ms(10), Ms(40), Ms(2560), Contention);

    /// <summary>A turn of an import's incident recomputation (1,000 stores): short, against poll batches of the same stores.</summary>
    public static readonly RetryPolicy IncidentTurn = new("incident_turn", 10, 10, Ms(10), Ms(40), Ms(400), Contention);

    /// <summary>A report's plan or a shard's save with its completion: concurrent completions bump the report's row.</summary>
    public static readonly RetryPolicy ReportSave = new("report_save", 8, 8, Ms(5), Ms(40), Ms(640), Contention);

    /// <summary>
    /// A report trigger: an identical trigger through another instance took the unique active key
    /// first; the next attempt finds and answers with that one, so no pause.
    /// </summary>
    public static readonly RetryPolicy ReportTrigger = new("report_trigger", 5, 5, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, [.. Contention, DbErrorKind.DuplicateKey]);

    /// <summary>A store's hours or zone set by <c>PUT</c>: another edit of the same store's rows won (a deadlock, a lost Galera certification).</summary>
    public static readonly RetryPolicy StoreEdit = new("store_edit", 3, 3, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, Contention);

    /// <summary>Every policy, for the docs' table and the metrics' description.</summary>
    public static IReadOnlyList<RetryPolicy> All { get; } = [ImportFile, PollBatch, IncidentTurn, ReportSave, ReportTrigger, StoreEdit];

    /// <summary>Whether a failure of <paramref name="kind"/> on attempt <paramref name="attempt"/> gets another attempt.</summary>
    public bool Retries(DbErrorKind kind, int attempt) =>
        kind != DbErrorKind.Other && RetriedOn.Contains(kind) && attempt < (kind == DbErrorKind.LockTimeout ? Math.Min(Attempts, LockTimeoutAttempts) : Attempts);

    /// <summary>The pause after attempt <paramref name="attempt"/> failed: jittered, the ceiling doubling per attempt.</summary>
    public TimeSpan Pause(int attempt, Random random)
    {
        if (MaxPause <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var ceiling = Math.Min(MaxPause.TotalMilliseconds, Step.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(MinPause.TotalMilliseconds + (random.NextDouble() * Math.Max(0, ceiling - MinPause.TotalMilliseconds)));
    }

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}

/// <summary>
/// Runs a write again when it loses a race to another writer, as its <see cref="RetryPolicy"/>
/// says, waiting on the injected <see cref="TimeProvider"/>; counts every retry in
/// <c>storemon.db.retries</c> by policy and outcome (<c>retried</c>, then <c>succeeded</c> or
/// <c>exhausted</c>).
/// </summary>
public sealed class ConflictRetry
{
    private readonly StoreDatabase _database;
    private readonly TimeProvider _time;
    private readonly Counter<long> _retries;

    public ConflictRetry(StoreDatabase database, TimeProvider time, IMeterFactory meterFactory)
    {
        _database = database;
        _time = time;
        _retries = meterFactory.Create(Meters.Name).CreateCounter<long>(
            "storemon.db.retries", "{retry}", "Writes that lost a race to another writer, by retry policy and outcome: retried (one per extra attempt), then succeeded or exhausted.");
    }

    /// <param name="onRetry">Called before each extra attempt, with the attempt that failed and why (to log it, or to undo in-memory state).</param>
    public Task<T> RunAsync<T>(RetryPolicy policy, Func<int, Task<T>> write, Action<int, DbException>? onRetry = null, CancellationToken cancellationToken = default) =>
        LoopAsync(policy, write, onRetry, pause => Task.Delay(pause, _time, cancellationToken));

    public Task RunAsync(RetryPolicy policy, Func<int, Task> write, Action<int, DbException>? onRetry = null, CancellationToken cancellationToken = default) =>
        RunAsync(policy, async attempt =>
        {
            await write(attempt);
            return true;
        }, onRetry, cancellationToken);

    /// <summary>The same for the synchronous, data-heavy loops that run on a thread of their own (an import, a poll batch).</summary>
    /// <remarks>
    /// The write and the wait both complete before they return, so the loop never yields: every
    /// attempt runs on the calling thread, which blocks through the pauses (its job here; the
    /// wait still runs on the injected clock).
    /// </remarks>
    public T Run<T>(RetryPolicy policy, Func<int, T> write, Action<int, DbException>? onRetry = null, CancellationToken cancellationToken = default) =>
        LoopAsync(
            policy,
            attempt => Task.FromResult(write(attempt)),
            onRetry,
            pause =>
            {
                Task.Delay(pause, _time, cancellationToken).GetAwaiter().GetResult();
                return Task.CompletedTask;
            }).GetAwaiter().GetResult();

    /// <summary>The one retry loop: attempts, the pause between them (<paramref name="wait"/>), the counts.</summary>
    private async Task<T> LoopAsync<T>(RetryPolicy policy, Func<int, Task<T>> write, Action<int, DbException>? onRetry, Func<TimeSpan, Task> wait)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await write(attempt);
                Succeeded(policy, attempt);
                return result;
            }
            catch (DbException ex) when (ShouldRetry(policy, ex, attempt))
            {
                onRetry?.Invoke(attempt, ex);
                var pause = policy.Pause(attempt, Random.Shared);
                if (pause > TimeSpan.Zero)
                {
                    await wait(pause);
                }
            }
        }
    }

    private bool ShouldRetry(RetryPolicy policy, DbException exception, int attempt)
    {
        var kind = _database.Dialect.Classify(exception);
        if (kind == DbErrorKind.Other || !policy.RetriedOn.Contains(kind))
        {
            return false;
        }

        var retry = policy.Retries(kind, attempt);
        _retries.Add(1, Tags(policy, retry ? "retried" : "exhausted"));
        return retry;
    }

    private void Succeeded(RetryPolicy policy, int attempt)
    {
        if (attempt > 1)
        {
            _retries.Add(1, Tags(policy, "succeeded"));
        }
    }

    private static ReadOnlySpan<KeyValuePair<string, object?>> Tags(RetryPolicy policy, string outcome) =>
        new KeyValuePair<string, object?>[] { new("policy", policy.Name), new("outcome", outcome) };
}
