using System.Data.Common;

namespace StoreMonitoring.Storage;

/// <summary>
/// Keeps a lease on a database row alive: renews it every third of its length on the injected
/// clock, and cancels <see cref="Token"/> as soon as a renewal finds the row is no longer this
/// holder's (another holder took it over after it expired) or the caller stops.
/// </summary>
/// <remarks>
/// The one lease mechanism of the service: the import lock, running reports and (later) webhook
/// deliveries each hold a row and keep it with one of these. A renewal that fails with a database
/// error (busy behind another writer, a dropped connection) is tried again on the next tick: only
/// the row itself can say the lease is lost.
/// </remarks>
public sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _lost;
    private readonly Task _renewing;

    private LeaseKeeper(Func<CancellationToken, Task<bool>> renew, TimeSpan length, TimeProvider time, CancellationToken stopping)
    {
        _lost = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _renewing = RenewAsync(renew, length / 3, time);
    }

    /// <summary>Cancelled when the lease is lost or the caller stops.</summary>
    public CancellationToken Token => _lost.Token;

    /// <summary>True once a renewal found the row taken by another holder.</summary>
    public bool IsLost { get; private set; }

    /// <param name="renew">Extends the lease; false when the row is no longer this holder's.</param>
    public static LeaseKeeper Start(Func<CancellationToken, Task<bool>> renew, TimeSpan length, TimeProvider time, CancellationToken stopping) =>
        new(renew, length, time, stopping);

    private async Task RenewAsync(Func<CancellationToken, Task<bool>> renew, TimeSpan period, TimeProvider time)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_lost.Token))
            {
                bool renewed;
                try
                {
                    renewed = await renew(_lost.Token);
                }
                catch (DbException)
                {
                    continue;
                }

                if (!renewed)
                {
                    IsLost = true;
                    await _lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lost.CancelAsync();
        await _renewing;
        _lost.Dispose();
    }
}
