using StoreMonitoring.Time;

namespace StoreMonitoring.Lab.Generation;

internal enum PollingKind
{
    /// <summary>About once an hour, a few minutes early or late, some polls missed.</summary>
    Hourly,

    /// <summary>Every 10-20 minutes.</summary>
    Dense,

    /// <summary>Every 3-6 hours.</summary>
    Sparse,

    /// <summary>Random gaps averaging 30-120 minutes.</summary>
    Irregular,

    /// <summary>Hourly, but only while the store is open.</summary>
    BusinessHoursOnly,

    /// <summary>Hourly until a day 1-20 days before the end, then never again.</summary>
    Stopped,

    /// <summary>Hourly from a day well after the start.</summary>
    LateStart,
}

/// <summary>The fixed parameters of a store's polling; <see cref="PollClock"/> runs them.</summary>
internal sealed record PollPlan(PollingKind Kind, long PeriodMicros, long JitterMicros, double MissRate, long Start, long Stop, TimeRange[] Gaps)
{
    private static readonly double[] Weights = [62, 8, 8, 8, 6, 6, 2];

    private static readonly double[] HeterogeneousWeights = [60, 5, 5, 20, 5, 5, 0];

    /// <summary>
    /// The heterogeneous profile's polling: each "hourly" store has a period of its own from 50
    /// minutes to 3 hours, a fifth poll at random (exponential gaps averaging 30 minutes to 3 hours),
    /// and each collector outage takes this store's polls with the outage's share.
    /// </summary>
    public static PollPlan CreateHeterogeneous(GeneratorRandom random, long start, long end, IReadOnlyList<(TimeRange Range, double Share)> collectorOutages)
    {
        var gaps = new List<TimeRange>();
        foreach (var (range, share) in collectorOutages)
        {
            if (random.Chance(share))
            {
                gaps.Add(range);
            }
        }

        var kind = (PollingKind)random.Pick(HeterogeneousWeights);
        var plan = Create(random, start, end, gaps.ToArray(), kind);
        var minute = UnixMicros.PerMinute;
        return kind switch
        {
            PollingKind.Hourly => plan with { PeriodMicros = (long)(random.LogUniform(50, 180) * minute), JitterMicros = random.NextLong(1, 10) * minute },
            PollingKind.Irregular => plan with { PeriodMicros = (long)(random.LogUniform(30, 180) * minute) },
            _ => plan,
        };
    }

    public static PollPlan Create(GeneratorRandom random, long start, long end, ReadOnlySpan<TimeRange> globalGaps) =>
        Create(random, start, end, globalGaps, (PollingKind)random.Pick(Weights));

    private static PollPlan Create(GeneratorRandom random, long start, long end, ReadOnlySpan<TimeRange> globalGaps, PollingKind kind)
    {
        var minute = UnixMicros.PerMinute;
        var days = (end - start) / UnixMicros.PerDay;
        long period = 60 * minute, jitter = random.NextLong(1, 9) * minute;
        var miss = random.Uniform(0.02, 0.12);
        var stop = end;
        switch (kind)
        {
            case PollingKind.Dense:
                period = random.NextLong(10, 21) * minute;
                jitter = 2 * minute;
                miss = 0.05;
                break;
            case PollingKind.Sparse:
                period = random.NextLong(3, 7) * UnixMicros.PerHour;
                jitter = 15 * minute;
                miss = 0.05;
                break;
            case PollingKind.Irregular:
                period = random.NextLong(30, 121) * minute;
                miss = 0;
                break;
            case PollingKind.Stopped:
                stop = Math.Max(start + UnixMicros.PerDay, end - random.NextLong(UnixMicros.PerDay, 20 * UnixMicros.PerDay));
                break;
            case PollingKind.LateStart:
                start += random.NextLong(UnixMicros.PerDay, Math.Max(2, days / 2) * UnixMicros.PerDay);
                break;
        }

        // The poller itself is down now and then for this store: a few hours, once every two weeks or so.
        var gaps = new List<TimeRange>(globalGaps.ToArray());
        for (var day = 0L; day < days; day++)
        {
            if (random.Chance(1.0 / 14))
            {
                var at = start + day * UnixMicros.PerDay + random.NextLong(0, UnixMicros.PerDay);
                var length = (long)(Math.Clamp(random.LogNormal(3, 0.8), 0.5, 48) * UnixMicros.PerHour);
                gaps.Add(new TimeRange(at, at + length));
            }
        }

        gaps.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return new PollPlan(kind, period, jitter, miss, start, Math.Min(stop, end), [.. gaps]);
    }
}

/// <summary>
/// Produces one store's poll instants in increasing order, a little at a time, so the generator
/// can interleave all stores by time without holding their polls.
/// </summary>
internal sealed class PollClock
{
    private readonly PollPlan _plan;
    private readonly GeneratorRandom _random;
    private readonly TimeRange[] _openHours;
    private readonly long _phase;
    private long _index;
    private int _gap;
    private int _open;

    public PollClock(PollPlan plan, GeneratorRandom random, TimeRange[] openHours)
    {
        _plan = plan;
        _random = random;
        _openHours = openHours;
        _phase = random.NextLong(0, plan.PeriodMicros);
        Next = plan.Start + _phase;
        Advance(first: true);
    }

    /// <summary>The next candidate instant, or <see cref="long.MaxValue"/> once polling has stopped.</summary>
    public long Next { get; private set; }

    /// <summary>Moves past <see cref="Next"/>; true if that instant is a poll that was made (not missed, not in a gap).</summary>
    public bool Take(out long at)
    {
        at = Next;
        var made = at >= _plan.Start && !_random.Chance(_plan.MissRate) && !InGap(at) && IsPolledAt(at);
        Advance(first: false);
        return made;
    }

    private void Advance(bool first)
    {
        if (_plan.Kind == PollingKind.Irregular)
        {
            // Never closer than two minutes: real pollers do not fire twice at once.
            Next = first ? Next : Next + Math.Max(2 * UnixMicros.PerMinute, (long)_random.Exponential(_plan.PeriodMicros));
        }
        else
        {
            // Jitter stays under half a period, so the instants stay in order.
            var jitter = _random.NextLong(-_plan.JitterMicros, _plan.JitterMicros + 1);
            Next = _plan.Start + _phase + _index++ * _plan.PeriodMicros + jitter;
        }

        if (Next >= _plan.Stop)
        {
            Next = long.MaxValue;
        }
    }

    private bool InGap(long at)
    {
        var gaps = _plan.Gaps;
        while (_gap < gaps.Length && gaps[_gap].End <= at)
        {
            _gap++;
        }

        // Gaps may overlap, so look at every gap that has started.
        for (var i = _gap; i < gaps.Length && gaps[i].Start <= at; i++)
        {
            if (gaps[i].Contains(at))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsPolledAt(long at)
    {
        if (_plan.Kind != PollingKind.BusinessHoursOnly)
        {
            return true;
        }

        while (_open < _openHours.Length && _openHours[_open].End <= at)
        {
            _open++;
        }

        return _open < _openHours.Length && _openHours[_open].Contains(at);
    }
}
