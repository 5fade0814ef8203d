namespace StoreMonitoring.Reports.Estimation.Learned;

/// <summary>
/// A two-state continuous-time Markov chain (up = 0, down = 1) with rate <see cref="Fail"/> from up
/// to down and <see cref="Recover"/> from down to up, both per hour. Every quantity is closed-form
/// (docs/learned-estimator.md derives them): the transition probabilities over a gap, and the
/// integrals of the bridge that give expected up time and expected transitions between two polls.
/// </summary>
public readonly record struct TwoStateChain(double Fail, double Recover)
{
    public const int Up = 0;
    public const int Down = 1;

    public double Rate => Fail + Recover;

    /// <summary>Long-run share of time up.</summary>
    public double StationaryUp => Recover / Rate;

    /// <summary>Stationary probability of a state.</summary>
    public double Stationary(int state) => state == Up ? Recover / Rate : Fail / Rate;

    /// <summary>P(X_t = to | X_0 = from), t in hours.</summary>
    public double Transition(int from, int to, double hours)
    {
        var pi = Stationary(to);
        // 1 - e^{-qt} through expm1, so a short gap keeps its small switching probability exactly.
        var decay = -double.ExpM1(-Rate * hours);
        return from == to ? 1 - (1 - pi) * decay : pi * decay;
    }

    /// <summary>
    /// ∫_{s1}^{s2} P(X_s = x | X_0 = i) P(X_t = j | X_s = y) ds over a gap of <paramref name="t"/> hours:
    /// with x = y it is the unnormalised bridge occupation of x, with x ≠ y the unnormalised
    /// expected number of x→y switches divided by that switch's rate.
    /// </summary>
    public double BridgeIntegral(int i, int x, int y, int j, double s1, double s2, double t)
    {
        var q = Rate;
        var piX = Stationary(x);
        var piJ = Stationary(j);
        var dIx = (i == x ? 1 : 0) - piX;
        var dYj = (y == j ? 1 : 0) - piJ;
        var length = s2 - s1;
        // ∫ e^{-qs} ds and ∫ e^{-q(t-s)} ds over [s1, s2], written so no exponent is positive.
        var early = (Math.Exp(-q * s1) - Math.Exp(-q * s2)) / q;
        var late = (Math.Exp(-q * (t - s2)) - Math.Exp(-q * (t - s1))) / q;
        var value = piX * piJ * length + piX * dYj * late + dIx * piJ * early + dIx * dYj * Math.Exp(-q * t) * length;
        return Math.Max(0, value);
    }

    /// <summary>
    /// The E-step of one whole gap of <paramref name="t"/> hours from <paramref name="i"/> to
    /// <paramref name="j"/>: expected hours up, expected up→down and down→up switches. The bridge
    /// integrals over [0, t] with one exponential, since the fit evaluates this for every gap on every step.
    /// </summary>
    public (double UpHours, double Failures, double Recoveries) GapExpectations(int i, int j, double t)
    {
        var q = Rate;
        var e = Math.Exp(-q * t);
        var early = -double.ExpM1(-q * t) / q;
        var p = Transition(i, j, t);
        if (p <= 1e-300)
        {
            return (t * StationaryUp, 0, 0);
        }

        // ∫_0^t P_ix(s) P_yj(t - s) ds = π_x π_j t + (π_x d_yj + d_ix π_j) (1 - e^{-qt})/q + d_ix d_yj t e^{-qt}.
        var piUp = StationaryUp;
        double Integral(int x, int y)
        {
            var piX = x == Up ? piUp : 1 - piUp;
            var piJ = j == Up ? piUp : 1 - piUp;
            var dIx = (i == x ? 1 : 0) - piX;
            var dYj = (y == j ? 1 : 0) - piJ;
            return Math.Max(0, piX * piJ * t + (piX * dYj + dIx * piJ) * early + dIx * dYj * t * e);
        }

        return (Math.Clamp(Integral(Up, Up) / p, 0, t), Fail * Integral(Up, Down) / p, Recover * Integral(Down, Up) / p);
    }

    /// <summary>Expected hours up within [s1, s2] of a gap of <paramref name="t"/> hours that starts in <paramref name="i"/> and ends in <paramref name="j"/>.</summary>
    public double ExpectedUpBetween(int i, int j, double s1, double s2, double t)
    {
        var p = Transition(i, j, t);
        if (p <= 0)
        {
            return (s2 - s1) * StationaryUp;
        }

        return Math.Clamp(BridgeIntegral(i, Up, Up, j, s1, s2, t) / p, 0, s2 - s1);
    }

    /// <summary>Expected hours up within [s1, s2] after a poll that saw <paramref name="i"/> at 0, with nothing seen later.</summary>
    public double ExpectedUpAfter(int i, double s1, double s2)
    {
        var q = Rate;
        var piU = StationaryUp;
        var dIu = (i == Up ? 1 : 0) - piU;
        var value = piU * (s2 - s1) + dIu * (Math.Exp(-q * s1) - Math.Exp(-q * s2)) / q;
        return Math.Clamp(value, 0, s2 - s1);
    }
}
