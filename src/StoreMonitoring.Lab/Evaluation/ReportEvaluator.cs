using System.Globalization;
using nietras.SeparatedValues;
using StoreMonitoring.Import;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Lab.Evaluation;

/// <summary>A file that cannot be evaluated: a missing column, a number that is not one, a repeated store.</summary>
public sealed class MalformedCsvException(string message) : FormatException(message);

/// <summary>
/// The error of one report column against the truth, over all compared stores and over those with
/// a poll in the column's window (the only ones an estimator has evidence for).
/// </summary>
/// <param name="Bias">Mean of report minus truth: positive when the report overstates.</param>
public readonly record struct ColumnError(
    string Column, int Stores, double MeanAbsoluteError, double Bias, double MeanTruth, int PolledStores, double PolledMeanAbsoluteError, double PolledBias);

public sealed record EvaluationResult(
    long Now, int TruthStores, int ReportStores, int Compared, int MissingFromReport, int MissingFromTruth, IReadOnlyList<ColumnError> Columns)
{
    /// <summary>How often each window's credible interval holds the true uptime; empty when the report has no intervals.</summary>
    public IReadOnlyList<IntervalCoverage> Coverage { get; init; } = [];

    /// <summary>Uptime error per kind of store (from <c>profiles.csv</c>); empty without it.</summary>
    public IReadOnlyList<KindError> ByKind { get; init; } = [];
}

/// <summary>The share of compared stores whose true uptime in a window lies inside the report's interval.</summary>
public readonly record struct IntervalCoverage(string Window, int Stores, double Share, double MeanWidth);

/// <summary>The uptime MAE of the stores of one kind (a column of profiles.csv and its value), per window.</summary>
public readonly record struct KindError(string Group, string Kind, int Stores, double HourMae, double DayMae, double WeekMae);

/// <summary>Compares a report's seven columns with a generated <c>truth.csv</c>.</summary>
public static class ReportEvaluator
{
    /// <summary>The figure columns, in the report's order: each window's uptime, then each one's downtime.</summary>
    public static readonly IReadOnlyList<string> FigureColumns =
        [.. ReportWindow.Standard.Select(w => $"uptime_{w.Name}"), .. ReportWindow.Standard.Select(w => $"downtime_{w.Name}")];

    /// <param name="now">End of the windows; null takes the latest timestamp in the status file, as the report does.</param>
    public static EvaluationResult Evaluate(string dataDirectory, string reportPath, long? now = null)
    {
        var truth = ReadFigures(Path.Combine(dataDirectory, Generation.DataGenerator.TruthFileName));
        var report = ReadFigures(reportPath);
        var (effectiveNow, latest) = ReadLatestPolls(Path.Combine(dataDirectory, InputFiles.StatusName), now);
        var profiles = Path.Combine(dataDirectory, Generation.DataGenerator.ProfilesFileName);
        return Compare(truth, report, latest, effectiveNow) with
        {
            Coverage = CompareIntervals(truth, ReadIntervals(reportPath)),
            ByKind = File.Exists(profiles) ? CompareByKind(truth, report, ReadKinds(profiles)) : [],
        };
    }

    /// <summary>The interval columns of an extended learned report, by store: low hour, day, week, then high; null when the report has none.</summary>
    public static Dictionary<string, double[]>? ReadIntervals(string path)
    {
        string[] wanted = ["uptime_low_last_hour", "uptime_low_last_day", "uptime_low_last_week", "uptime_high_last_hour", "uptime_high_last_day", "uptime_high_last_week"];
        using var reader = OpenCsv(path);
        if (!reader.Header.ColNames.Any(n => string.Equals(n.Trim(), wanted[0], StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var columns = RequireColumns(reader, path, ["store_id", .. wanted]);
        var bounds = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var row in reader)
        {
            var values = new double[wanted.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var text = row[columns[i + 1]].Span;
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                {
                    throw Malformed(path, row.LineNumberFrom, $"{wanted[i]} '{text}' is not a number");
                }
            }

            bounds[row[columns[0]].ToString()] = values;
        }

        return bounds;
    }

    public static IReadOnlyList<IntervalCoverage> CompareIntervals(IReadOnlyDictionary<string, double[]> truth, IReadOnlyDictionary<string, double[]>? intervals)
    {
        if (intervals is null)
        {
            return [];
        }

        var result = new List<IntervalCoverage>();
        string[] names = ["hour", "day", "week"];
        for (var w = 0; w < 3; w++)
        {
            int stores = 0, inside = 0;
            double width = 0;
            foreach (var (storeId, expected) in truth)
            {
                if (!intervals.TryGetValue(storeId, out var bounds))
                {
                    continue;
                }

                stores++;
                width += bounds[w + 3] - bounds[w];
                // Both sides are rounded to hundredths: half a hundredth of slack on each end.
                if (expected[w] >= bounds[w] - 0.005 && expected[w] <= bounds[w + 3] + 0.005)
                {
                    inside++;
                }
            }

            result.Add(new IntervalCoverage(names[w], stores, Mean(inside, stores), Mean(width, stores)));
        }

        return result;
    }

    /// <summary>Each store's reliability and polling kinds from profiles.csv.</summary>
    public static Dictionary<string, (string Reliability, string Polling)> ReadKinds(string path)
    {
        using var reader = OpenCsv(path);
        var columns = RequireColumns(reader, path, ["store_id", "reliability", "polling"]);
        var kinds = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var row in reader)
        {
            kinds[row[columns[0]].ToString()] = (row[columns[1]].ToString(), row[columns[2]].ToString());
        }

        return kinds;
    }

    public static IReadOnlyList<KindError> CompareByKind(
        IReadOnlyDictionary<string, double[]> truth, IReadOnlyDictionary<string, double[]> report, IReadOnlyDictionary<string, (string Reliability, string Polling)> kinds)
    {
        var sums = new SortedDictionary<(string Group, string Kind), (int Stores, double Hour, double Day, double Week)>();
        foreach (var (storeId, expected) in truth)
        {
            if (!report.TryGetValue(storeId, out var actual) || !kinds.TryGetValue(storeId, out var kind))
            {
                continue;
            }

            foreach (var key in (ReadOnlySpan<(string, string)>)[("reliability", kind.Reliability), ("polling", kind.Polling)])
            {
                var sum = sums.GetValueOrDefault(key);
                sums[key] = (sum.Stores + 1, sum.Hour + Math.Abs(actual[0] - expected[0]), sum.Day + Math.Abs(actual[1] - expected[1]), sum.Week + Math.Abs(actual[2] - expected[2]));
            }
        }

        return [.. sums.Select(p => new KindError(p.Key.Group, p.Key.Kind, p.Value.Stores, p.Value.Hour / p.Value.Stores, p.Value.Day / p.Value.Stores, p.Value.Week / p.Value.Stores))];
    }

    /// <summary>Reads the figure columns by store; other columns are ignored.</summary>
    public static Dictionary<string, double[]> ReadFigures(string path)
    {
        using var reader = OpenCsv(path);
        var columns = RequireColumns(reader, path, ["store_id", .. FigureColumns]);
        var figures = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var row in reader)
        {
            if (row.ColCount < reader.Header.ColNames.Count)
            {
                throw Malformed(path, row.LineNumberFrom, $"expected {reader.Header.ColNames.Count} columns, found {row.ColCount}");
            }

            var storeId = row[columns[0]].ToString();
            var values = new double[FigureColumns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                var text = row[columns[i + 1]].Span;
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                {
                    throw Malformed(path, row.LineNumberFrom, $"{FigureColumns[i]} '{text}' is not a number");
                }
            }

            if (!figures.TryAdd(storeId, values))
            {
                throw Malformed(path, row.LineNumberFrom, $"store '{storeId}' appears twice");
            }
        }

        return figures;
    }

    /// <summary>Each store's latest poll at or before now, and now itself (the latest poll of all when not given).</summary>
    public static (long Now, Dictionary<string, long> Latest) ReadLatestPolls(string statusPath, long? now)
    {
        using var reader = OpenCsv(statusPath);
        var columns = RequireColumns(reader, statusPath, ["store_id", "timestamp_utc"]);
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = latest.GetAlternateLookup<ReadOnlySpan<char>>();
        var limit = now ?? long.MaxValue;
        var newest = long.MinValue;
        foreach (var row in reader)
        {
            if (row.ColCount < reader.Header.ColNames.Count)
            {
                throw Malformed(statusPath, row.LineNumberFrom, $"expected {reader.Header.ColNames.Count} columns, found {row.ColCount}");
            }

            var text = row[columns[1]].Span;
            if (!TimestampParser.TryParse(text, out var at))
            {
                throw Malformed(statusPath, row.LineNumberFrom, $"timestamp '{text}' is not one");
            }

            if (at > limit)
            {
                continue;
            }

            newest = Math.Max(newest, at);
            var storeId = row[columns[0]].Span;
            if (!lookup.TryGetValue(storeId, out var previous) || at > previous)
            {
                lookup[storeId] = at;
            }
        }

        if (newest == long.MinValue)
        {
            throw new MalformedCsvException($"{statusPath}: no poll at or before now, so no window can be placed");
        }

        return (now ?? newest, latest);
    }

    public static EvaluationResult Compare(
        IReadOnlyDictionary<string, double[]> truth, IReadOnlyDictionary<string, double[]> report, IReadOnlyDictionary<string, long> latestPoll, long now)
    {
        var windows = new ReportWindows(now);
        // The hour columns look at the hour's polls, and so on; a poll exactly at a window's start counts, as in the ratio estimator.
        var starts = Enumerable.Range(0, windows.Count).Select(windows.Start).ToArray();
        var count = FigureColumns.Count;
        var absolute = new double[count];
        var signed = new double[count];
        var truthSum = new double[count];
        var polledAbsolute = new double[count];
        var polledSigned = new double[count];
        var polledStores = new int[count];
        var compared = 0;
        foreach (var (storeId, expected) in truth)
        {
            if (!report.TryGetValue(storeId, out var actual))
            {
                continue;
            }

            compared++;
            var latest = latestPoll.TryGetValue(storeId, out var at) ? at : long.MinValue;
            for (var i = 0; i < count; i++)
            {
                var error = actual[i] - expected[i];
                absolute[i] += Math.Abs(error);
                signed[i] += error;
                truthSum[i] += expected[i];
                if (latest >= starts[i % starts.Length] && latest <= now)
                {
                    polledAbsolute[i] += Math.Abs(error);
                    polledSigned[i] += error;
                    polledStores[i]++;
                }
            }
        }

        var columns = new ColumnError[count];
        for (var i = 0; i < count; i++)
        {
            columns[i] = new ColumnError(
                FigureColumns[i], compared, Mean(absolute[i], compared), Mean(signed[i], compared), Mean(truthSum[i], compared),
                polledStores[i], Mean(polledAbsolute[i], polledStores[i]), Mean(polledSigned[i], polledStores[i]));
        }

        return new EvaluationResult(
            now, truth.Count, report.Count, compared, truth.Keys.Count(k => !report.ContainsKey(k)), report.Keys.Count(k => !truth.ContainsKey(k)), columns);
    }

    private static double Mean(double sum, int count) => count == 0 ? double.NaN : sum / count;

    private static SepReader OpenCsv(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        return Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, Trim = SepTrim.All }).FromFile(path);
    }

    private static int[] RequireColumns(SepReader reader, string path, IReadOnlyList<string> wanted)
    {
        // The real status file starts with a byte-order mark, which the first column name keeps.
        var names = reader.Header.ColNames.Select(n => n.Trim().TrimStart('\uFEFF')).ToList();
        var indexes = new int[wanted.Count];
        for (var i = 0; i < wanted.Count; i++)
        {
            indexes[i] = names.FindIndex(n => string.Equals(n, wanted[i], StringComparison.OrdinalIgnoreCase));
            if (indexes[i] < 0)
            {
                var found = names.Count == 0 ? "an empty file" : $"'{string.Join(",", names)}'";
                throw new MalformedCsvException($"{path}: bad header: expected columns {string.Join(",", wanted)}, found {found}");
            }
        }

        return indexes;
    }

    private static MalformedCsvException Malformed(string path, int line, string problem) => new($"{path}:{line}: {problem}");
}
