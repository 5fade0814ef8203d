namespace StoreMonitoring.Reports.Estimation.Learned;

/// <summary>
/// A window's up share given the polls, approximated as a mixture: an atom at 1 (up all the time),
/// an atom at 0 (down all the time), and a beta for the rest whose mean and variance make the
/// whole mixture's equal the chain's exact mean and its variance.
/// </summary>
/// <param name="Mean">Posterior mean of the up share.</param>
/// <param name="Variance">Posterior variance of the up share.</param>
/// <param name="AllUp">Probability of being up throughout the window's business time.</param>
/// <param name="AllDown">Probability of being down throughout it.</param>
public readonly record struct UptimePosterior(double Mean, double Variance, double AllUp, double AllDown)
{
    /// <summary>
    /// An interval of the up share with probability <paramref name="mass"/>: equal tails, except
    /// that an atom at an end of more than one tail's mass absorbs that tail, so that the interval
    /// runs from the other end's quantile to that end (otherwise it would hold more than the mass:
    /// a store up throughout with probability 0.8 would get an interval holding 95 %).
    /// </summary>
    public (double Low, double High) Interval(double mass)
    {
        var tail = (1 - mass) / 2;
        if (AllUp > tail && AllUp >= AllDown)
        {
            return (Quantile(1 - mass), 1);
        }

        if (AllDown > tail)
        {
            return (0, Quantile(mass));
        }

        return (Quantile(tail), Quantile(1 - tail));
    }

    /// <summary>The <paramref name="p"/>-quantile of the up share.</summary>
    public double Quantile(double p)
    {
        var allUp = Math.Clamp(AllUp, 0, 1);
        var allDown = Math.Clamp(AllDown, 0, 1 - allUp);
        var rest = 1 - allUp - allDown;
        if (rest < 1e-9)
        {
            return p <= allDown ? 0 : 1;
        }

        if (p <= allDown)
        {
            return 0;
        }

        if (p > 1 - allUp)
        {
            return 1;
        }

        // The remainder's moments: what is left of the whole once the atoms are taken out.
        var mean = Math.Clamp((Mean - allUp) / rest, 1e-9, 1 - 1e-9);
        var second = (Variance + Mean * Mean - allUp) / rest;
        var variance = Math.Max(second - mean * mean, 1e-12);
        return BetaApproximation.Quantile(mean, variance, (p - allDown) / rest);
    }
}
