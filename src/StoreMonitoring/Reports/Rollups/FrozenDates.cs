using System.Data.Common;
using Dapper;
using NodaTime;

namespace StoreMonitoring.Reports.Rollups;

/// <summary>
/// The dates whose rollups no recomputation may rewrite: those whose raw polls retention removed.
/// </summary>
/// <remarks>
/// <para>A date's row needs the last poll before the date and two more before that one (see
/// <see cref="RollupKeeper"/>). Once the polls before some instant are gone, a date can be recomputed
/// exactly only when it starts after the third remaining poll; every earlier date keeps the row it
/// had, which was computed from all its polls. So the frozen dates are those up to and including the
/// local date of the third poll left (retention writes it down, <c>polls_removed.frozen_through_us</c>),
/// a date or two more than the dates whose polls are all gone.</para>
/// <para>The date is taken in the store's current zone: after a zone change the frozen rows keep the
/// dates (and figures) of the old zone, the recomputed ones those of the new.</para>
/// </remarks>
public static class FrozenDates
{
    private const int KeysPerQuery = 500;

    /// <summary>Per store with removed polls, the first local date (yyyymmdd) a recomputation may write; <see cref="int.MaxValue"/> when none. Stores not in it are free.</summary>
    public static Dictionary<int, int> FirstWritable(DbConnection connection, DbTransaction? transaction, IReadOnlyDictionary<int, DateTimeZone> stores)
    {
        var first = new Dictionary<int, int>();
        foreach (var chunk in stores.Keys.Chunk(KeysPerQuery))
        {
            // Keys are integers: written into the text, nothing to escape.
            var removed = connection.Query<(int Key, long? Through)>(
                $"SELECT store_key, frozen_through_us FROM polls_removed WHERE store_key IN ({string.Join(',', chunk)})", transaction: transaction);
            foreach (var (key, through) in removed)
            {
                first[key] = FirstAfter(through ?? ThirdPoll(connection, transaction, key), stores[key]);
            }
        }

        return first;
    }

    /// <summary>The first date (yyyymmdd) one store's recomputation may write, or null when its polls were never removed.</summary>
    public static async Task<int?> FirstWritableAsync(DbConnection connection, int storeKey, DateTimeZone zone, CancellationToken cancellationToken)
    {
        var removed = await connection.QueryAsync<(int Key, long? Through)>(new CommandDefinition(
            "SELECT store_key, frozen_through_us FROM polls_removed WHERE store_key = @storeKey", new { storeKey }, cancellationToken: cancellationToken));
        return removed.Select(r => (int?)FirstAfter(r.Through ?? ThirdPoll(connection, null, storeKey), zone)).FirstOrDefault();
    }

    /// <summary>The instant of the store's third poll at or after <paramref name="from"/> (of all, when null): what the dates before are frozen through.</summary>
    public static long? ThirdPoll(DbConnection connection, DbTransaction? transaction, int storeKey, long? from = null) =>
        connection.ExecuteScalar<long?>(
            from is null
                ? "SELECT observed_at_us FROM store_status WHERE store_key = @storeKey ORDER BY observed_at_us LIMIT 1 OFFSET 2"
                : "SELECT observed_at_us FROM store_status WHERE store_key = @storeKey AND observed_at_us >= @from ORDER BY observed_at_us LIMIT 1 OFFSET 2",
            new { storeKey, from }, transaction);

    private static int FirstAfter(long? through, DateTimeZone zone) =>
        through is { } at ? LocalDates.ToKey(LocalDates.DateOf(at, zone).PlusDays(1)) : int.MaxValue;
}
