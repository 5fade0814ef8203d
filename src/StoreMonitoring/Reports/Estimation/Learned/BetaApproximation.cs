namespace StoreMonitoring.Reports.Estimation.Learned;

/// <summary>
/// A window's up share as a beta distribution with the posterior's mean and variance: quantiles
/// for the credible interval. Deterministic: fixed bisection steps, no random draws.
/// </summary>
public static class BetaApproximation
{
    private const int BisectionSteps = 48;

    /// <summary>The <paramref name="p"/>-quantile of the beta with this mean and variance on [0, 1].</summary>
    public static double Quantile(double mean, double variance, double p)
    {
        mean = Math.Clamp(mean, 0, 1);
        var spread = mean * (1 - mean);
        if (spread <= 1e-12 || variance <= 1e-14)
        {
            return mean;
        }

        variance = Math.Min(variance, 0.999 * spread);
        var concentration = spread / variance - 1;
        var alpha = mean * concentration;
        var beta = (1 - mean) * concentration;
        if (alpha > 200 && beta > 200)
        {
            // So concentrated that the normal is as good and far cheaper.
            return Math.Clamp(mean + NormalQuantile(p) * Math.Sqrt(variance), 0, 1);
        }

        double low = 0, high = 1;
        for (var step = 0; step < BisectionSteps; step++)
        {
            var middle = (low + high) / 2;
            if (RegularizedIncompleteBeta(middle, alpha, beta) < p)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return (low + high) / 2;
    }

    /// <summary>I_x(a, b), by the continued fraction (modified Lentz), on the side where it converges fast.</summary>
    public static double RegularizedIncompleteBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var logFront = a * Math.Log(x) + b * Math.Log(1 - x) - (LogGamma(a) + LogGamma(b) - LogGamma(a + b));
        if (x < (a + 1) / (a + b + 2))
        {
            return Math.Exp(logFront) * ContinuedFraction(x, a, b) / a;
        }

        return 1 - Math.Exp(logFront) * ContinuedFraction(1 - x, b, a) / b;
    }

    private static double ContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        var result = d;
        for (var m = 1; m <= 300; m++)
        {
            // The even step, then the odd one.
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + numerator * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + numerator / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            result *= d * c;

            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + numerator * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + numerator / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            var change = d * c;
            result *= change;
            if (Math.Abs(change - 1) < 1e-12)
            {
                break;
            }
        }

        return result;
    }

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7; reflection below 1/2).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>The standard normal quantile (Acklam's rational approximation, relative error under 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        if (p > 1 - low)
        {
            return -NormalQuantile(1 - p);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
