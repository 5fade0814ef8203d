namespace StoreMonitoring.Storage;

/// <summary>
/// Wakes this process's worker for <typeparamref name="TWork"/> (<c>ReportJobs</c>,
/// <c>DeliveryQueue</c>) when this process queued some: it claims at once instead of at its next
/// poll. Work queued through another instance is found by that poll. Several notifications before
/// a wait are one wake-up.
/// </summary>
public sealed class WakeSignal<TWork> : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount > 0)
        {
            return;
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled meanwhile: one wake-up is enough.
        }
    }

    /// <summary>True when woken, false when the timeout passed.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
