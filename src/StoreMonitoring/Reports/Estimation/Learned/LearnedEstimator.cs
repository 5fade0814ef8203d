using System.Runtime.InteropServices;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Reports.Estimation.Learned;

/// <summary>
/// The learned method: each store's polls fit its own two-state Markov chain (shrunk towards the
/// fleet prior), and every instant of business time in a window counts as up with the chain's
/// posterior probability given the polls on either side. Gives each window's expected uptime and a
/// 90 % credible interval. docs/learned-estimator.md states the model and its assumptions.
/// </summary>
public static class LearnedEstimator
{
    /// <summary>How much history the fit sees: three weeks and a week of margin.</summary>
    public const long FitHistoryMicros = 28 * UnixMicros.PerDay;

    /// <summary>The credible interval's probability: its ends are the 5 % and 95 % quantiles.</summary>
    public const double IntervalMass = 0.90;

    /// <summary>
    /// Multipliers of the chain's variance of the day's and the week's up time. Real outages are
    /// not memoryless (heavy tails, weekly habits, a collector gap over many stores), so the
    /// chain's uncertainty over a long window is too small; these were calibrated on seed 2 of
    /// both generator profiles, which the benchmark (seeds 1, 3, 8) does not use.
    /// </summary>
    private static readonly double[] VarianceInflation = [1.0, 1.3, 1.7];

    // The variance is summed over cells of at most five minutes, each taken as wholly up or down.
    private const double CellHours = 5.0 / 60;

    /// <summary>
    /// The polls that count as evidence: all of them, except, for a store that is switched off while
    /// closed, the inactive polls made outside business hours (being off then says nothing of its
    /// open time). A store counts as switched off when closed if at least five of its polls were
    /// made while closed and the share of them that say inactive exceeds its in-hours share by 0.3.
    /// </summary>
    /// <param name="hours">Business hours covering the polls' span.</param>
    public static int Evidence(ReadOnlySpan<Poll> polls, ReadOnlySpan<TimeRange> hours, List<Poll> evidence)
    {
        evidence.Clear();
        int closed = 0, closedInactive = 0, open = 0, openInactive = 0;
        var cursor = 0;
        foreach (var poll in polls)
        {
            if (IsOpen(hours, poll.At, ref cursor))
            {
                open++;
                openInactive += poll.Active ? 0 : 1;
            }
            else
            {
                closed++;
                closedInactive += poll.Active ? 0 : 1;
            }
        }

        var switchedOff = closed >= 5 && (double)closedInactive / closed > (open == 0 ? 0 : (double)openInactive / open) + 0.3;
        cursor = 0;
        foreach (var poll in polls)
        {
            if (poll.Active || !switchedOff || IsOpen(hours, poll.At, ref cursor))
            {
                evidence.Add(poll);
            }
        }

        return evidence.Count;
    }

    private static bool IsOpen(ReadOnlySpan<TimeRange> hours, long at, ref int cursor)
    {
        while (cursor < hours.Length && hours[cursor].End <= at)
        {
            cursor++;
        }

        return cursor < hours.Length && hours[cursor].Contains(at);
    }

    /// <summary>One store's figures for the three windows: fit once, then every window from the one fit.</summary>
    /// <param name="polls">The store's polls at or before now, sorted.</param>
    public static StoreUptime Compute(ReadOnlySpan<Poll> polls, StoreProfile store, ReportWindows windows, Buffers? buffers = null)
    {
        buffers ??= new Buffers();
        var from = FirstUsed(polls, windows.Now - FitHistoryMicros);
        polls = polls[from..];
        var hours = buffers.Hours;
        hours.Clear();
        BusinessHours.Expand(store.Schedule, store.Zone, Math.Min(polls.IsEmpty ? windows.WeekStart : polls[0].At, windows.WeekStart), windows.Now + 1, hours);
        var open = CollectionsMarshal.AsSpan(hours);
        Evidence(polls, open, buffers.Evidence);
        var evidence = CollectionsMarshal.AsSpan(buffers.Evidence);
        var chain = ChainFit.Fit(evidence, ChainPrior.Fleet, buffers.Fit);
        return Estimate(evidence, open, windows, chain, buffers);
    }

    /// <summary>The windows' figures under a given chain.</summary>
    /// <param name="evidence">Polls that count as evidence, sorted, at or before now.</param>
    /// <param name="hours">Business hours covering at least the week.</param>
    public static StoreUptime Estimate(ReadOnlySpan<Poll> evidence, ReadOnlySpan<TimeRange> hours, ReportWindows windows, TwoStateChain chain, Buffers? buffers = null)
    {
        // The posterior's pieces are cut at the hour's and the day's starts (a set of windows each):
        // this method computes the standard windows, narrowest first.
        if (!windows.List.SequenceEqual(ReportWindow.Standard))
        {
            throw new ArgumentException("the learned method computes the standard windows (last hour, day, week) only", nameof(windows));
        }

        buffers ??= new Buffers();
        Span<long> starts = [windows.Start(0), windows.Start(1), windows.WeekStart];
        var sums = buffers.Moments;
        sums.Reset();
        if (!evidence.IsEmpty)
        {
            // The latest poll before the week is the week's left edge evidence; before it nothing counts.
            var first = 0;
            while (first + 1 < evidence.Length && evidence[first + 1].At <= windows.WeekStart)
            {
                first++;
            }

            if (evidence[first].At > windows.WeekStart)
            {
                Segment(Kind.Before, long.MinValue, evidence[first].At, State(evidence[first]), 0, chain, hours, windows, buffers, sums);
            }

            for (var k = first; k + 1 < evidence.Length; k++)
            {
                Segment(Kind.Between, evidence[k].At, evidence[k + 1].At, State(evidence[k]), State(evidence[k + 1]), chain, hours, windows, buffers, sums);
            }

            Segment(Kind.After, evidence[^1].At, long.MaxValue, State(evidence[^1]), 0, chain, hours, windows, buffers, sums);
        }

        return new StoreUptime(windows.List, [
            Window(sums, 0, evidence, hours, starts[0], windows.Now, chain),
            Window(sums, 1, evidence, hours, starts[1], windows.Now, chain),
            Window(sums, 2, evidence, hours, starts[2], windows.Now, chain)]);
    }

    private enum Kind
    {
        Before,
        Between,
        After,
    }

    /// <summary>
    /// Per window (0 hour, 1 day, 2 week), summed or multiplied over the stretches: expected up
    /// hours, the variance of the up hours, and the probabilities of being up (down) throughout.
    /// </summary>
    internal sealed class Moments
    {
        public readonly double[] Mean = new double[3];
        public readonly double[] Variance = new double[3];
        public readonly double[] AllUp = new double[3];
        public readonly double[] AllDown = new double[3];

        public void Reset()
        {
            Array.Clear(Mean);
            Array.Clear(Variance);
            Array.Fill(AllUp, 1.0);
            Array.Fill(AllDown, 1.0);
        }

        public void Add(int mask, double mean)
        {
            for (var w = 0; w < 3; w++)
            {
                if ((mask & (1 << w)) != 0)
                {
                    Mean[w] += mean;
                }
            }
        }
    }

    internal readonly record struct Cell(double At, double Hours, int Mask);

    /// <summary>
    /// One stretch between evidence (or before the first, or after the last): its business time's
    /// exact expected up time per window, and the variance of its up time by a forward pass over
    /// cells of the bridge (conditionally on the polls, stretches are independent: the chain is Markov).
    /// </summary>
    /// <param name="startState">The state seen at the known end: the left poll, or for <see cref="Kind.Before"/> the first poll.</param>
    private static void Segment(
        Kind kind, long start, long end, int startState, int endState, TwoStateChain chain, ReadOnlySpan<TimeRange> hours, ReportWindows windows, Buffers buffers,
        Moments sums)
    {
        var from = Math.Max(start, windows.WeekStart);
        var to = Math.Min(end, windows.Now);
        if (to <= from)
        {
            return;
        }

        var cells = buffers.Cells;
        cells.Clear();
        var pieces = buffers.Pieces;
        pieces.Clear();
        var gapHours = kind == Kind.Between ? Hours(end - start) : 0;
        foreach (var range in hours)
        {
            if (range.Start >= to)
            {
                break;
            }

            var pieceStart = Math.Max(range.Start, from);
            var pieceEnd = Math.Min(range.End, to);
            if (pieceEnd <= pieceStart)
            {
                continue;
            }

            // Cut at the day's and the hour's starts, so each piece belongs to a fixed set of windows.
            Piece(kind, start, end, startState, endState, gapHours, chain, pieceStart, Math.Min(pieceEnd, windows.Start(1)), 4, cells, pieces, sums);
            Piece(kind, start, end, startState, endState, gapHours, chain, Math.Max(pieceStart, windows.Start(1)), Math.Min(pieceEnd, windows.Start(0)), 2 | 4, cells, pieces, sums);
            Piece(kind, start, end, startState, endState, gapHours, chain, Math.Max(pieceStart, windows.Start(0)), pieceEnd, 1 | 2 | 4, cells, pieces, sums);
        }

        if (cells.Count == 0)
        {
            return;
        }

        if (kind == Kind.Before)
        {
            // A two-state chain is reversible: before the first poll, time runs backwards from it.
            cells.Reverse();
            pieces.Reverse();
        }

        var bridge = kind == Kind.Between;
        for (var w = 0; w < 3; w++)
        {
            sums.AllUp[w] *= Throughout(CollectionsMarshal.AsSpan(pieces), w, TwoStateChain.Up, bridge, startState, endState, gapHours, chain);
            sums.AllDown[w] *= Throughout(CollectionsMarshal.AsSpan(pieces), w, TwoStateChain.Down, bridge, startState, endState, gapHours, chain);
        }

        Variance(CollectionsMarshal.AsSpan(cells), kind == Kind.Between, startState, endState, gapHours, chain, sums);
    }

    private static void Piece(
        Kind kind, long start, long end, int startState, int endState, double gapHours, TwoStateChain chain, long pieceStart, long pieceEnd, int mask, List<Cell> cells,
        List<Cell> pieces, Moments sums)
    {
        if (pieceEnd <= pieceStart)
        {
            return;
        }

        // Local clock: hours from the known end, increasing away from it.
        double s1, s2;
        if (kind == Kind.Before)
        {
            s1 = Hours(end - pieceEnd);
            s2 = Hours(end - pieceStart);
        }
        else
        {
            s1 = Hours(pieceStart - start);
            s2 = Hours(pieceEnd - start);
        }

        var mean = kind == Kind.Between ? chain.ExpectedUpBetween(startState, endState, s1, s2, gapHours) : chain.ExpectedUpAfter(startState, s1, s2);
        sums.Add(mask, mean);
        // A piece as a cell: At is its start on the local clock, Hours its length.
        pieces.Add(new Cell(s1, s2 - s1, mask));

        var length = s2 - s1;
        var count = Math.Max(1, (int)Math.Ceiling(length / CellHours - 1e-9));
        var width = length / count;
        for (var c = 0; c < count; c++)
        {
            // Cells in time order; for Before the local clock runs the other way, so the list is reversed later.
            var at = kind == Kind.Before ? s2 - (c + 0.5) * width : s1 + (c + 0.5) * width;
            cells.Add(new Cell(at, width, mask));
        }
    }

    /// <summary>
    /// The probability that the chain stays in <paramref name="state"/> through every piece of the
    /// window within one stretch (pieces in local-clock order), given the stretch's known ends: the
    /// weight of the posterior's atom at "up (or down) all the time".
    /// </summary>
    private static double Throughout(ReadOnlySpan<Cell> pieces, int window, int state, bool bridge, int startState, int endState, double gapHours, TwoStateChain chain)
    {
        var leave = state == TwoStateChain.Up ? chain.Fail : chain.Recover;
        double probability = 1, at = 0;
        var any = false;
        foreach (var piece in pieces)
        {
            if ((piece.Mask & (1 << window)) == 0)
            {
                continue;
            }

            probability *= any ? chain.Transition(state, state, piece.At - at) : chain.Transition(startState, state, piece.At);
            probability *= Math.Exp(-leave * piece.Hours);
            at = piece.At + piece.Hours;
            any = true;
        }

        if (!any)
        {
            return 1;
        }

        if (bridge)
        {
            var ends = chain.Transition(startState, endState, gapHours);
            probability = ends > 0 ? probability * chain.Transition(state, endState, Math.Max(0, gapHours - at)) / ends : 0;
        }

        return Math.Clamp(probability, 0, 1);
    }

    /// <summary>
    /// Variance of each window's up hours within one stretch: a forward pass over the cells of the
    /// chain conditioned on the stretch's known ends, carrying E[S·1{X=x}] and E[S²·1{X=x}].
    /// </summary>
    private static void Variance(ReadOnlySpan<Cell> cells, bool bridge, int startState, int endState, double gapHours, TwoStateChain chain, Moments sums)
    {
        Span<double> p = [startState == TwoStateChain.Up ? 1 : 0, startState == TwoStateChain.Down ? 1 : 0];
        Span<double> m1 = stackalloc double[6]; // [window * 2 + state]
        Span<double> m2 = stackalloc double[6];
        Span<double> np = stackalloc double[2];
        Span<double> n1 = stackalloc double[6];
        Span<double> n2 = stackalloc double[6];
        Span<double> toEnd = stackalloc double[2];
        Span<double> toEndBefore = [1, 1];
        if (bridge)
        {
            toEndBefore[0] = chain.Transition(TwoStateChain.Up, endState, gapHours);
            toEndBefore[1] = chain.Transition(TwoStateChain.Down, endState, gapHours);
        }

        var previous = 0.0;
        var cachedStep = double.NaN;
        double growth = 1, decay = 1;
        Span<double> stepMove = stackalloc double[4];
        foreach (var cell in cells)
        {
            var step = Math.Max(0, cell.At - previous);
            var sameStep = step == cachedStep;
            if (!sameStep)
            {
                // Cells of a piece are equally wide: the step's transitions are computed once per piece.
                cachedStep = step;
                stepMove[0] = chain.Transition(0, 0, step);
                stepMove[1] = 1 - stepMove[0];
                stepMove[3] = chain.Transition(1, 1, step);
                stepMove[2] = 1 - stepMove[3];
                growth = Math.Exp(chain.Rate * step);
            }

            if (bridge)
            {
                // e^{-q(t - s)} grows by e^{q step} from one cell to the next of the same width.
                var left = Math.Max(0, gapHours - cell.At);
                decay = sameStep && cell.At <= gapHours ? Math.Min(1, decay * growth) : Math.Exp(-chain.Rate * left);
                var piEnd = chain.Stationary(endState);
                toEnd[0] = piEnd + ((endState == TwoStateChain.Up ? 1 : 0) - piEnd) * decay;
                toEnd[1] = piEnd + ((endState == TwoStateChain.Down ? 1 : 0) - piEnd) * decay;
            }
            else
            {
                toEnd[0] = toEnd[1] = 1;
            }

            np.Clear();
            n1.Clear();
            n2.Clear();
            for (var x = 0; x < 2; x++)
            {
                if (toEndBefore[x] <= 0)
                {
                    continue;
                }

                for (var y = 0; y < 2; y++)
                {
                    var move = stepMove[x * 2 + y] * toEnd[y] / toEndBefore[x];
                    np[y] += p[x] * move;
                    for (var w = 0; w < 3; w++)
                    {
                        n1[w * 2 + y] += m1[w * 2 + x] * move;
                        n2[w * 2 + y] += m2[w * 2 + x] * move;
                    }
                }
            }

            for (var w = 0; w < 3; w++)
            {
                if ((cell.Mask & (1 << w)) == 0)
                {
                    continue;
                }

                var up = w * 2 + TwoStateChain.Up;
                n2[up] += 2 * cell.Hours * n1[up] + cell.Hours * cell.Hours * np[TwoStateChain.Up];
                n1[up] += cell.Hours * np[TwoStateChain.Up];
            }

            np.CopyTo(p);
            n1.CopyTo(m1);
            n2.CopyTo(m2);
            toEnd.CopyTo(toEndBefore);
            previous = cell.At;
        }

        for (var w = 0; w < 3; w++)
        {
            var mean = m1[w * 2] + m1[w * 2 + 1];
            var second = m2[w * 2] + m2[w * 2 + 1];
            sums.Variance[w] += Math.Max(0, second - mean * mean);
        }
    }

    private static WindowUptime Window(Moments sums, int window, ReadOnlySpan<Poll> evidence, ReadOnlySpan<TimeRange> hours, long start, long now, TwoStateChain chain)
    {
        var business = new TimeRange(start, now).OverlapWith(hours);
        var polls = 0;
        foreach (var poll in evidence)
        {
            if (poll.At >= start && poll.At <= now && TimeRange.AnyContains(hours, poll.At))
            {
                polls++;
            }
        }

        if (business == 0)
        {
            return new WindowUptime(0, 0, 0, 0, polls, 0, new UptimeInterval(0, 0));
        }

        var businessHours = Hours(business);
        var (mean, variance) = (sums.Mean[window], sums.Variance[window]);
        double allUp = sums.AllUp[window], allDown = sums.AllDown[window];
        if (evidence.IsEmpty)
        {
            allUp = allDown = 0;
            // No poll at all: the prior's long-run share, with the widest honest interval.
            mean = chain.StationaryUp * businessHours;
            variance = businessHours * businessHours * chain.StationaryUp * (1 - chain.StationaryUp);
        }

        var share = Math.Clamp(mean / businessHours, 0, 1);
        var shareVariance = variance / (businessHours * businessHours) * VarianceInflation[window];
        var posterior = new UptimePosterior(share, shareVariance, allUp, allDown);
        var (low, high) = posterior.Interval(IntervalMass);
        // The figure is the posterior median, not the mean: the report is scored by absolute error,
        // which the median minimises, and a window's up time is often nearly all or nothing.
        var up = Micros(posterior.Quantile(0.5), business);
        return new WindowUptime(up, business - up, 0, business, polls, up, new UptimeInterval(Math.Min(Micros(low, business), up), Math.Max(Micros(high, business), up)));
    }

    private static long Micros(double share, long business) => Math.Clamp((long)Math.Round(share * business, MidpointRounding.AwayFromZero), 0, business);

    private static double Hours(long micros) => micros / (double)UnixMicros.PerHour;

    private static int State(Poll poll) => poll.Active ? TwoStateChain.Up : TwoStateChain.Down;

    /// <summary>The first poll at or after the cutoff, or the latest before it when none is (a store that went quiet).</summary>
    private static int FirstUsed(ReadOnlySpan<Poll> polls, long cutoff)
    {
        var first = StoreReport.FirstAtOrAfter(polls, cutoff);
        return first > 0 ? first - 1 : 0;
    }

    /// <summary>Lists reused from one store to the next.</summary>
    public sealed class Buffers
    {
        internal List<TimeRange> Hours { get; } = new(128);

        internal List<Poll> Evidence { get; } = new(1024);

        internal List<Cell> Cells { get; } = new(2048);

        internal List<Cell> Pieces { get; } = new(64);

        internal Moments Moments { get; } = new();

        internal ChainFit.FitBuffers Fit { get; } = new();
    }
}
