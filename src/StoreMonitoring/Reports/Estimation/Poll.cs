namespace StoreMonitoring.Reports.Estimation;

/// <summary>One observation of a store: at <paramref name="At"/> (Unix microseconds) it was active or not.</summary>
public readonly record struct Poll(long At, bool Active);

/// <summary>
/// A store's whole history in two numbers: its polls that count as evidence, and how many of
/// them said active. Built one poll at a time while the report streams the store's rows.
/// </summary>
public readonly record struct PollHistory(int Polls, int Active)
{
    /// <summary>The share of active polls, or null with none.</summary>
    public double? Share => Polls == 0 ? null : (double)Active / Polls;

    /// <summary>
    /// Counts an active poll always and an inactive one only when made in business hours: a
    /// store switched off when closed would otherwise look down most of the time.
    /// </summary>
    public PollHistory Add(bool active, bool inBusinessHours) =>
        active ? new(Polls + 1, Active + 1) : inBusinessHours ? new(Polls + 1, Active) : this;
}
