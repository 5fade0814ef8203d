namespace StoreMonitoring.Lab.Generation;

/// <summary>
/// xoshiro256** seeded through SplitMix64, with the few distributions the generator draws from.
/// </summary>
/// <remarks>
/// Our own generator rather than <see cref="Random"/>: the bytes a seed produces are part of the
/// generator's contract and must not change with a runtime upgrade. Each store draws from its own
/// streams (<see cref="For"/>), so adding a draw to one concern does not reshuffle all the others.
/// </remarks>
internal sealed class GeneratorRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public GeneratorRandom(ulong seed)
    {
        var state = seed;
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    /// <summary>An independent stream for one concern (<paramref name="stream"/>) of one store.</summary>
    public static GeneratorRandom For(ulong seed, ulong stream, long index)
    {
        var state = seed ^ (stream * 0x9E3779B97F4A7C15UL);
        var mixed = SplitMix(ref state) ^ (ulong)index * 0xD1B54A32D192ED03UL;
        return new GeneratorRandom(SplitMix(ref mixed));
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [<paramref name="min"/>, <paramref name="max"/>), without modulo bias worth mentioning at these ranges.</summary>
    public long NextLong(long min, long max) => min + (long)Math.BigMul(NextUInt64(), (ulong)(max - min), out _);

    public int NextInt(int min, int max) => (int)NextLong(min, max);

    public bool Chance(double probability) => NextDouble() < probability;

    public double Exponential(double mean) => -mean * Math.Log(1 - NextDouble());

    /// <summary>Log-uniform in [<paramref name="min"/>, <paramref name="max"/>): as many stores at 1-10 h as at 10-100 h.</summary>
    public double LogUniform(double min, double max) => Math.Exp(Uniform(Math.Log(min), Math.Log(max)));

    public double Normal()
    {
        // Box-Muller; one of the pair is dropped to keep the generator stateless between draws.
        var u1 = 1 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    public double Pareto(double scale, double alpha) => scale / Math.Pow(1 - NextDouble(), 1 / alpha);

    /// <summary>An index into <paramref name="weights"/>, each chosen in proportion to its weight.</summary>
    public int Pick(ReadOnlySpan<double> weights)
    {
        var total = 0.0;
        foreach (var weight in weights)
        {
            total += weight;
        }

        var x = NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    /// <summary>A random (version 4) UUID in the lowercase form the real files use.</summary>
    public string NextUuid()
    {
        var high = (NextUInt64() & ~0xF000UL) | 0x4000UL;
        var low = (NextUInt64() & 0x3FFF_FFFF_FFFF_FFFFUL) | 0x8000_0000_0000_0000UL;
        var hex = $"{high:x16}{low:x16}";
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
