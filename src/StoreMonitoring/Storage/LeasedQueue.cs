using System.Data.Common;
using Dapper;
using StoreMonitoring.Time;

namespace StoreMonitoring.Storage;

/// <summary>
/// Which table is a leased-row queue, and how its rows say so: the key columns (with the parameter
/// names statements use for them), the column holding the lease, and the stored statuses of a row
/// that waits and of one a worker holds.
/// </summary>
/// <param name="WaitingIsDue">
/// Whether a waiting row also waits for its lease column (a delivery's next attempt is due then);
/// otherwise a waiting row is claimable at once.
/// </param>
public sealed record LeasedTable(
    string Name, IReadOnlyList<(string Column, string Parameter)> Key, string LeaseColumn, string Waiting, string Claimed, bool WaitingIsDue = false)
{
    /// <summary>A table whose statuses come from <paramref name="statuses"/>.</summary>
    public static LeasedTable Of<TStatus>(
        string name, IReadOnlyList<(string Column, string Parameter)> key, string leaseColumn, StoredStatuses<TStatus> statuses, TStatus waiting, TStatus claimed, bool waitingIsDue = false)
        where TStatus : struct, Enum =>
        new(name, key, leaseColumn, statuses.Sql(waiting), statuses.Sql(claimed), waitingIsDue);
}

/// <summary>What the claim loop knows of a candidate: its key (as parameters), whether a worker held it, and its attempts so far.</summary>
public sealed record LeasedRow(object Key, bool Leased, long Attempts);

/// <summary>
/// What a queue adds to the common claim: how it finds candidates (its join and its order), what
/// a candidate is, what happens to one whose attempts ran out, and what a won claim returns.
/// </summary>
public sealed class ClaimSteps<TCandidate, TClaimed>
{
    /// <summary>Up to <see cref="LeasedQueue.CandidateLimit"/> candidates, oldest first; the search must include <see cref="LeasedQueue.Claimable"/>.</summary>
    public required Func<DbConnection, long, CancellationToken, Task<IEnumerable<TCandidate>>> FindAsync { get; init; }

    public required Func<TCandidate, LeasedRow> Row { get; init; }

    /// <summary>A candidate whose worker's lease ran out and whose attempts are used up (its workers keep dying).</summary>
    public required Func<DbConnection, TCandidate, long, CancellationToken, Task> OutOfAttemptsAsync { get; init; }

    /// <summary>The claim was won; <c>attempts</c> now counts it.</summary>
    public required Func<DbConnection, TCandidate, CancellationToken, Task<TClaimed?>> ClaimedAsync { get; init; }

    /// <summary>Told of every candidate whose worker's lease ran out, before anything is decided about it.</summary>
    public Action<TCandidate>? TakingOver { get; init; }

    /// <summary>Further assignments of the claiming UPDATE (<c>", started_at_us = @now"</c>).</summary>
    public string AlsoSet { get; init; } = "";
}

/// <summary>
/// The claim rule of every table that is a queue (report jobs, report shards, webhook deliveries):
/// the database is the queue, a worker claims a row with a conditional UPDATE (so exactly one wins,
/// on one server or across a cluster), holds it with a lease it renews, and a row whose worker died
/// is claimed again when that lease runs out, its attempts counted, until they run out.
/// </summary>
public sealed class LeasedQueue(StoreDatabase database, TimeProvider time, LeasedTable table)
{
    /// <summary>How many candidates one claim looks at: enough to get past those other workers win meanwhile.</summary>
    public const int CandidateLimit = 10;

    public LeasedTable Table => table;

    public long Now => UnixMicros.FromDateTimeOffset(time.GetUtcNow());

    /// <summary>
    /// The claim condition (with <c>@now</c>), shared by the search and the UPDATE that settles the
    /// race: a waiting row (when due), or a held one whose lease ran out.
    /// </summary>
    public string Claimable(string? alias = null)
    {
        var a = alias is null ? "" : alias + ".";
        var waiting = table.WaitingIsDue
            ? $"({a}status = {table.Waiting} AND {a}{table.LeaseColumn} <= @now)"
            : $"{a}status = {table.Waiting}";
        return $"({waiting} OR {LeaseRanOut(alias)})";
    }

    /// <summary>A held row whose lease ran out (with <c>@now</c>).</summary>
    public string LeaseRanOut(string? alias = null)
    {
        var a = alias is null ? "" : alias + ".";
        return $"({a}status = {table.Claimed} AND {a}{table.LeaseColumn} < @now)";
    }

    /// <summary>The row is this worker's (with the key parameters and <c>@worker</c>): every write of a holder checks it.</summary>
    public string Owned => $"{KeyMatch} AND worker = @worker AND status = {table.Claimed}";

    private string KeyMatch => string.Join(" AND ", table.Key.Select(k => $"{k.Column} = @{k.Parameter}"));

    /// <summary>
    /// Claims the first candidate this worker wins. A candidate taken over with
    /// <paramref name="maxAttempts"/> used goes to <see cref="ClaimSteps{TCandidate,TClaimed}.OutOfAttemptsAsync"/> instead.
    /// </summary>
    public async Task<TClaimed?> TryClaimAsync<TCandidate, TClaimed>(
        string worker, TimeSpan lease, int maxAttempts, ClaimSteps<TCandidate, TClaimed> steps, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(StoreDatabase.LeaseLockWait, cancellationToken);
        var now = Now;
        foreach (var candidate in await steps.FindAsync(connection, now, cancellationToken))
        {
            var row = steps.Row(candidate);
            if (row.Leased)
            {
                steps.TakingOver?.Invoke(candidate);
                if (row.Attempts >= maxAttempts)
                {
                    await steps.OutOfAttemptsAsync(connection, candidate, now, cancellationToken);
                    continue;
                }
            }

            var parameters = new DynamicParameters(row.Key);
            parameters.AddDynamicParams(new { worker, now, leaseUntil = now + (long)lease.TotalMicroseconds });
            // Lost to another worker (maybe on another node of a cluster): the next one, then.
            var claimed = await database.TryClaimAsync(connection, new CommandDefinition(
                $"""
                UPDATE {table.Name}
                SET status = {table.Claimed}, worker = @worker, {table.LeaseColumn} = @leaseUntil, attempts = attempts + 1{steps.AlsoSet}
                WHERE {KeyMatch} AND {Claimable()}
                """,
                parameters, cancellationToken: cancellationToken));
            if (claimed == 1)
            {
                return await steps.ClaimedAsync(connection, candidate, cancellationToken);
            }
        }

        return default;
    }

    /// <summary>Extends this worker's lease; false when another worker has taken the row over.</summary>
    public async Task<bool> RenewAsync(object key, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(key);
        parameters.AddDynamicParams(new { worker, leaseUntil = Now + (long)lease.TotalMicroseconds });
        await using var connection = await database.OpenAsync(StoreDatabase.LeaseLockWait, cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {table.Name} SET {table.LeaseColumn} = @leaseUntil WHERE {Owned}", parameters, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Gives a row back when its worker stops before finishing it (a shutdown, not a failure): its
    /// attempt is not counted, and any worker can claim it at once. True when it was this worker's.
    /// </summary>
    public async Task<bool> HandBackAsync(DbConnection connection, object key, string worker, string alsoSet = "")
    {
        var parameters = new DynamicParameters(key);
        parameters.Add("worker", worker);
        return await connection.ExecuteAsync(
            $"UPDATE {table.Name} SET status = {table.Waiting}, worker = NULL, {table.LeaseColumn} = NULL, attempts = attempts - 1{alsoSet} WHERE {Owned}",
            parameters) == 1;
    }
}
