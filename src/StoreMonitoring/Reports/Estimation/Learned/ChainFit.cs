namespace StoreMonitoring.Reports.Estimation.Learned;

/// <summary>
/// The prior a store's rates are shrunk towards: gamma priors on the two rates, written as
/// pseudo-observations (so many switches seen in so many hours of each state).
/// </summary>
/// <param name="Failures">Pseudo up→down switches.</param>
/// <param name="UpHours">Pseudo hours up: <c>Failures / UpHours</c> is the prior's failure rate per hour.</param>
/// <param name="Recoveries">Pseudo down→up switches.</param>
/// <param name="DownHours">Pseudo hours down: <c>Recoveries / DownHours</c> is the prior's recovery rate per hour.</param>
public readonly record struct ChainPrior(double Failures, double UpHours, double Recoveries, double DownHours)
{
    /// <summary>
    /// The fleet prior every store starts from: about one failure a day and outages of about 45
    /// minutes, worth one switch of each kind. Fixed, not fitted per report, so that a store's
    /// figures depend on its own polls only and a report is byte for byte the same whichever worker
    /// computes which shard (docs/learned-estimator.md discusses the choice).
    /// </summary>
    public static ChainPrior Fleet { get; } = new(1, 24, 1, 0.75);

    public TwoStateChain Mean => new(Failures / UpHours, Recoveries / DownHours);
}

/// <summary>
/// Fits a store's <see cref="TwoStateChain"/> to its polls by EM for panel data: each gap between
/// two consecutive polls contributes its expected switches and expected time in each state given
/// the states at both ends (closed-form bridge integrals), and the M-step adds the prior's
/// pseudo-observations, which shrinks a store with few switches towards the fleet.
/// </summary>
public static class ChainFit
{
    /// <summary>Gaps longer than this (a poller that stopped for days) say little about the rates and are left out.</summary>
    public const double MaxGapHours = 48;

    public const int MaxIterations = 300;

    // Gap lengths are binned on a 2 % logarithmic scale (within a pair of end states), each bin
    // represented by its mean length: a 21-day hourly store has ~500 gaps but ~60 bins, and
    // a rate mis-stated by 1 % of a gap changes no figure measurably.
    private const double BinRatio = 0.02;
    private const int Bins = 512;

    public static TwoStateChain Fit(ReadOnlySpan<Poll> polls, ChainPrior prior, FitBuffers? buffers = null)
    {
        buffers ??= new FitBuffers();
        var gaps = buffers.Collect(polls);
        var chain = prior.Mean;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            double failures = 0, recovered = 0, upHours = 0, downHours = 0;
            foreach (var gap in gaps)
            {
                var (up, fails, recoveries) = chain.GapExpectations(gap.From, gap.To, gap.Hours);
                upHours += gap.Count * up;
                downHours += gap.Count * (gap.Hours - up);
                failures += gap.Count * fails;
                recovered += gap.Count * recoveries;
            }

            var next = new TwoStateChain((failures + prior.Failures) / (upHours + prior.UpHours), (recovered + prior.Recoveries) / (downHours + prior.DownHours));
            var moved = Math.Max(Math.Abs(Math.Log(next.Fail / chain.Fail)), Math.Abs(Math.Log(next.Recover / chain.Recover)));
            chain = next;
            if (moved < 1e-6)
            {
                break;
            }
        }

        return chain;
    }

    /// <summary>Gaps with the same end states and about the same length, counted once.</summary>
    public readonly record struct GapBin(int From, int To, double Hours, int Count);

    /// <summary>Scratch space reused from one store to the next.</summary>
    public sealed class FitBuffers
    {
        private readonly int[] _counts = new int[4 * Bins];
        private readonly double[] _sums = new double[4 * Bins];
        private readonly List<int> _touched = new(256);
        private readonly List<GapBin> _gaps = new(256);

        internal List<GapBin> Collect(ReadOnlySpan<Poll> polls)
        {
            foreach (var index in _touched)
            {
                _counts[index] = 0;
                _sums[index] = 0;
            }

            _touched.Clear();
            for (var k = 0; k + 1 < polls.Length; k++)
            {
                var hours = (polls[k + 1].At - polls[k].At) / (double)Time.UnixMicros.PerHour;
                if (hours <= 0 || hours > MaxGapHours)
                {
                    continue;
                }

                var bin = Math.Clamp((int)Math.Round(Math.Log(hours * 60) / Math.Log(1 + BinRatio)) + 64, 0, Bins - 1);
                var index = (State(polls[k]) * 2 + State(polls[k + 1])) * Bins + bin;
                if (_counts[index] == 0)
                {
                    _touched.Add(index);
                }

                _counts[index]++;
                _sums[index] += hours;
            }

            // In index order, so the sums of the EM steps run in one order whatever the polls' history.
            _touched.Sort();
            _gaps.Clear();
            foreach (var index in _touched)
            {
                var pair = index / Bins;
                _gaps.Add(new GapBin(pair / 2, pair % 2, _sums[index] / _counts[index], _counts[index]));
            }

            return _gaps;
        }

        private static int State(Poll poll) => poll.Active ? TwoStateChain.Up : TwoStateChain.Down;
    }
}
