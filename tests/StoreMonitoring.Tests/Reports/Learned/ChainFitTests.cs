using CsCheck;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Reports.Estimation.Learned;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports.Learned;

/// <summary>The fit recovers the rates of chains it is given polls of, and the closed forms agree with brute force.</summary>
public sealed class ChainFitTests
{
    /// <summary>A true path of the chain, sampled at the given instants (hours), with its switch instants.</summary>
    internal static (Poll[] Polls, List<(double At, bool Up)> Path) Simulate(TwoStateChain chain, double[] at, Random random)
    {
        var path = new List<(double At, bool Up)>();
        var up = random.NextDouble() < chain.StationaryUp;
        double t = 0, end = at[^1];
        path.Add((0, up));
        while (t <= end)
        {
            t += -Math.Log(1 - random.NextDouble()) / (up ? chain.Fail : chain.Recover);
            up = !up;
            path.Add((t, up));
        }

        var polls = new Poll[at.Length];
        var k = 0;
        for (var i = 0; i < at.Length; i++)
        {
            while (k + 1 < path.Count && path[k + 1].At <= at[i])
            {
                k++;
            }

            polls[i] = new Poll((long)(at[i] * UnixMicros.PerHour), path[k].Up);
        }

        return (polls, path);
    }

    // Down spells average at least 40 minutes (recover at most 1.5 an hour), two poll intervals: a
    // chain that recovers faster than it is polled hides most of its switches between two polls, so
    // its recovery rate is not identified to 1/sqrt(switches) and the tolerance below does not hold.
    private static readonly Gen<(double Fail, double Recover, int Seed, bool Irregular)> Chains =
        Gen.Select(Gen.Double[Math.Log(1.0 / 72), Math.Log(1.0 / 4)], Gen.Double[Math.Log(1.0 / 6), Math.Log(1.5)], Gen.Int, Gen.Bool,
            (fail, recover, seed, irregular) => (Math.Exp(fail), Math.Exp(recover), seed, irregular));

    /// <summary>Fits a chain to 120 days of polls every 20 minutes (or at random gaps averaging 20 minutes); returns log(fitted / true) of both rates and the expected switches of each kind.</summary>
    private static (double Fail, double Recover, double Switches) FitError((double Fail, double Recover, int Seed, bool Irregular) c)
    {
        var chain = new TwoStateChain(c.Fail, c.Recover);
        var random = new Random(c.Seed);
        var times = new List<double>();
        for (var t = 0.0; t < 120 * 24; t += c.Irregular ? Math.Max(2.0 / 60, -Math.Log(1 - random.NextDouble()) / 3) : 1.0 / 3)
        {
            times.Add(t);
        }

        var (polls, _) = Simulate(chain, [.. times], random);
        var fit = ChainFit.Fit(polls, new ChainPrior(0.01, 0.24, 0.01, 0.01));
        var switches = times[^1] * chain.Fail * chain.Recover / chain.Rate;
        return (Math.Log(fit.Fail / chain.Fail), Math.Log(fit.Recover / chain.Recover), switches);
    }

    [Fact]
    public void The_fitted_rates_recover_the_true_rates_within_four_standard_errors() =>
        // Each rate is estimated from about n switches of its kind, so its relative standard error
        // is about 1/sqrt(n): the tolerance is 4/sqrt(n) on the log scale (n >= 37 here: a factor of 1.9 at worst, 1.2 at best).
        Chains.Sample(c =>
        {
            var (fail, recover, switches) = FitError(c);
            var tolerance = 4 / Math.Sqrt(switches) + 0.05;
            return Math.Abs(fail) < tolerance && Math.Abs(recover) < tolerance;
        }, iter: 60, threads: 1);

    [Fact]
    public void The_fit_has_no_systematic_bias_over_many_chains()
    {
        var errors = Enumerable.Range(0, 40).Select(k =>
        {
            var random = new Random(1000 + k);
            return FitError((Math.Exp(-random.NextDouble() * 3 - 1.4), Math.Exp(random.NextDouble() * 3 - 1.8), k, k % 2 == 0));
        }).ToList();
        Assert.InRange(errors.Average(e => e.Fail), -0.08, 0.08);
        Assert.InRange(errors.Average(e => e.Recover), -0.08, 0.08);
    }

    [Fact]
    public void A_store_with_few_polls_stays_near_the_fleet_prior()
    {
        // Two days of hourly polls, always up: no switch seen. The recovery rate stays near the
        // prior's (a little higher: any outage between two active polls must have been short).
        var polls = Enumerable.Range(0, 48).Select(h => new Poll(h * UnixMicros.PerHour, true)).ToArray();
        var fit = ChainFit.Fit(polls, ChainPrior.Fleet);
        var prior = ChainPrior.Fleet.Mean;
        Assert.InRange(fit.Recover / prior.Recover, 0.9, 1.5);
        // 47 hours up and no failure seen: the failure rate falls below the prior's one a day.
        Assert.InRange(fit.Fail, 0.3 / 24, 0.9 / 24);
    }

    [Fact]
    public void The_bridge_closed_forms_match_numerical_integration() =>
        Gen.Select(Gen.Double[0.01, 5], Gen.Double[0.01, 5], Gen.Double[0.05, 6], Gen.Int[0, 1], Gen.Int[0, 1], Gen.Double[0, 1], Gen.Double[0, 1])
            .Sample((a, b, t, i, j, u, v) =>
            {
                var chain = new TwoStateChain(a, b);
                var (s1, s2) = (Math.Min(u, v) * t, Math.Max(u, v) * t);
                // Midpoint rule with a fine grid over P(X_s = up | X_0 = i, X_t = j).
                const int steps = 4000;
                double sum = 0;
                for (var k = 0; k < steps; k++)
                {
                    var s = s1 + (k + 0.5) * (s2 - s1) / steps;
                    sum += chain.Transition(i, 0, s) * chain.Transition(0, j, t - s) / chain.Transition(i, j, t);
                }

                var numeric = sum * (s2 - s1) / steps;
                var rows = chain.Transition(i, 0, t) + chain.Transition(i, 1, t);
                return Math.Abs(chain.ExpectedUpBetween(i, j, s1, s2, t) - numeric) < 1e-6 + 1e-4 * (s2 - s1) && Math.Abs(rows - 1) < 1e-12;
            }, iter: 300);
}
