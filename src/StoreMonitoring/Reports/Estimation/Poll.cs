namespace StoreMonitoring.Reports.Estimation;

/// <summary>One observation of a store: at <paramref name="At"/> (Unix microseconds) it was active or not.</summary>
public readonly record struct Poll(long At, bool Active);

/// <summary>How many of a store's polls at or before now there are, and how many said active: its whole history in two numbers.</summary>
public readonly record struct PollHistory(int Polls, int Active)
{
    public double? Share => Polls == 0 ? null : (double)Active / Polls;
}
