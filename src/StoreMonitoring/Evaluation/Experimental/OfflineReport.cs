using nietras.SeparatedValues;
using NodaTime;
using StoreMonitoring.Import;
using StoreMonitoring.Reports;
using StoreMonitoring.Reports.Estimation;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Evaluation.Experimental;

/// <summary>
/// Experimental, for accuracy measurements only: computes a report straight from a generated
/// directory's files, without a database, so candidate estimators can be tried without touching
/// the production ones in Reports/Estimation.
/// </summary>
public static class OfflineReport
{
    public static readonly IReadOnlyList<string> Estimators = ["interpolated", "ratio"];

    /// <summary>Writes the seven-column report for the latest poll as now; returns that now.</summary>
    public static long Write(string dataDirectory, string output, string estimator, EstimatorSettings settings)
    {
        var zones = ReadZones(Path.Combine(dataDirectory, InputFiles.TimezonesName));
        var schedules = ReadSchedules(Path.Combine(dataDirectory, InputFiles.HoursName));
        var polls = ReadPolls(Path.Combine(dataDirectory, InputFiles.StatusName));
        var now = polls.Values.Max(p => p.Max(x => x.At));
        var windows = new ReportWindows(now);
        var rows = new List<StoreReportRow>(polls.Count);
        var hours = new List<TimeRange>();
        foreach (var (storeId, storePolls) in polls)
        {
            storePolls.Sort(static (a, b) => a.At.CompareTo(b.At));
            var zone = zones.GetValueOrDefault(storeId, BusinessHours.DefaultZone);
            var schedule = schedules.TryGetValue(storeId, out var windowsOfStore) ? new WeeklySchedule(windowsOfStore) : WeeklySchedule.AlwaysOpen;
            var history = History(storePolls, schedule, zone, now);
            // As ReportCalculator does: polls before the cutoff are dropped except the latest of them.
            var cutoff = windows.WeekStart - 2 * settings.HorizonMicros;
            var firstKept = storePolls.FindIndex(p => p.At >= cutoff);
            var keepFrom = firstKept < 0 ? storePolls.Count - 1 : Math.Max(0, firstKept - 1);
            storePolls.RemoveRange(0, keepFrom);
            hours.Clear();
            BusinessHours.Expand(schedule, zone, windows.WeekStart - UnixMicros.PerDay, now + 1, hours);
            var open = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(hours);
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(storePolls);
            var uptime = estimator switch
            {
                "ratio" => UptimeEstimator.Ratio(span, open, windows),
                "interpolated" => UptimeEstimator.Interpolated(span, open, windows, settings, history),
                _ => throw new ArgumentException($"unknown estimator '{estimator}': use {string.Join(", ", Estimators)}"),
            };
            rows.Add(new StoreReportRow(storeId, uptime));
        }

        rows.Sort(static (a, b) => StoreIdOrder.Compare(a.StoreId, b.StoreId));
        using var writer = new StreamWriter(output);
        ReportCsv.Write(writer, rows, extended: false);
        return now;
    }

    /// <summary>The store's history as ReportCalculator counts it: active polls, and inactive ones in business hours.</summary>
    private static PollHistory History(List<Poll> sorted, WeeklySchedule schedule, DateTimeZone zone, long now)
    {
        var hours = new List<TimeRange>();
        BusinessHours.Expand(schedule, zone, sorted[0].At, now + 1, hours);
        TimeRange[] open = [.. hours];
        var history = default(PollHistory);
        foreach (var poll in sorted)
        {
            history = history.Add(poll.Active, TimeRange.AnyContains(open, poll.At));
        }

        return history;
    }

    /// <summary>
    /// Scores many candidates on one generated directory, reading it once: for each candidate
    /// (<c>ratio</c>, or <c>key=value</c> pairs of <see cref="EstimatorSettings"/> separated by
    /// commas), one tab-separated line of uptime MAE for hour, day and week over all stores, the
    /// same over the stores with a poll in the window, and the week's bias.
    /// </summary>
    public static void Grid(string dataDirectory, IEnumerable<string> candidates, TextWriter output)
    {
        var zones = ReadZones(Path.Combine(dataDirectory, InputFiles.TimezonesName));
        var schedules = ReadSchedules(Path.Combine(dataDirectory, InputFiles.HoursName));
        var polls = ReadPolls(Path.Combine(dataDirectory, InputFiles.StatusName));
        var truth = ReportEvaluator.ReadFigures(Path.Combine(dataDirectory, Generation.DataGenerator.TruthFileName));
        var now = polls.Values.Max(p => p.Max(x => x.At));
        var windows = new ReportWindows(now);
        var stores = new List<(string Id, Poll[] Polls, TimeRange[] Hours, PollHistory History)>(polls.Count);
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (storeId, storePolls) in polls)
        {
            storePolls.Sort(static (a, b) => a.At.CompareTo(b.At));
            var zone = zones.GetValueOrDefault(storeId, BusinessHours.DefaultZone);
            var schedule = schedules.TryGetValue(storeId, out var windowsOfStore) ? new WeeklySchedule(windowsOfStore) : WeeklySchedule.AlwaysOpen;
            var hours = new List<TimeRange>();
            BusinessHours.Expand(schedule, zone, windows.WeekStart, now + 1, hours);
            var history = History(storePolls, schedule, zone, now);
            stores.Add((storeId, [.. storePolls], [.. hours], history));
            latest[storeId] = storePolls[^1].At;
        }

        foreach (var candidate in candidates)
        {
            var settings = Parse(candidate);
            var report = new Dictionary<string, double[]>(stores.Count, StringComparer.Ordinal);
            foreach (var (id, all, hours, history) in stores)
            {
                // As ReportCalculator does: polls before the cutoff are dropped except the latest of them.
                var cutoff = windows.WeekStart - 2 * (settings ?? new EstimatorSettings()).HorizonMicros;
                var firstKept = Array.FindIndex(all, p => p.At >= cutoff);
                var keepFrom = firstKept < 0 ? all.Length - 1 : Math.Max(0, firstKept - 1);
                var span = all.AsSpan(keepFrom);
                var uptime = settings is null ? UptimeEstimator.Ratio(span, hours, windows) : UptimeEstimator.Interpolated(span, hours, windows, settings, history);
                var (h, d, w) = ReportCsv.Figures(uptime);
                report[id] = [WindowFigures.ToNumber(h.EstimatedUptime), WindowFigures.ToNumber(d.EstimatedUptime), WindowFigures.ToNumber(w.EstimatedUptime),
                    WindowFigures.ToNumber(h.EstimatedDowntime), WindowFigures.ToNumber(d.EstimatedDowntime), WindowFigures.ToNumber(w.EstimatedDowntime)];
            }

            var result = ReportEvaluator.Compare(truth, report, latest, now);
            var c = result.Columns;
            output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{candidate}\t{c[0].MeanAbsoluteError:F3}\t{c[1].MeanAbsoluteError:F3}\t{c[2].MeanAbsoluteError:F3}\t{c[0].PolledMeanAbsoluteError:F3}\t{c[1].PolledMeanAbsoluteError:F3}\t{c[2].PolledMeanAbsoluteError:F3}\t{c[2].Bias:F3}\t{c[0].PolledStores}\t{c[1].PolledStores}\t{c[2].PolledStores}"));
            output.Flush();
        }
    }

    private static EstimatorSettings? Parse(string candidate)
    {
        if (candidate.Trim() == "ratio")
        {
            return null;
        }

        var settings = new EstimatorSettings();
        foreach (var pair in candidate.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (key, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
            var property = typeof(EstimatorSettings).GetProperty(key) ?? throw new ArgumentException($"no setting '{key}'");
            property.SetValue(settings, Convert.ChangeType(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
        }

        return settings;
    }

    private static Dictionary<string, DateTimeZone> ReadZones(string path)
    {
        var zones = new Dictionary<string, DateTimeZone>(StringComparer.Ordinal);
        using var reader = Sep.Reader().FromFile(path);
        foreach (var row in reader)
        {
            zones[row["store_id"].ToString()] = DateTimeZoneProviders.Tzdb.GetZoneOrNull(row["timezone_str"].ToString()) ?? BusinessHours.DefaultZone;
        }

        return zones;
    }

    private static Dictionary<string, List<OpeningWindow>> ReadSchedules(string path)
    {
        var schedules = new Dictionary<string, List<OpeningWindow>>(StringComparer.Ordinal);
        using var reader = Sep.Reader().FromFile(path);
        foreach (var row in reader)
        {
            var id = row["store_id"].ToString();
            if (!LocalTimeText.TryParse(row["start_time_local"].Span, out var start) || !LocalTimeText.TryParse(row["end_time_local"].Span, out var end))
            {
                throw new MalformedCsvException($"{path}:{row.LineNumberFrom}: bad time");
            }

            if (!schedules.TryGetValue(id, out var list))
            {
                schedules[id] = list = [];
            }

            list.Add(new OpeningWindow(row["dayOfWeek"].Parse<int>(), start, end));
        }

        return schedules;
    }

    private static Dictionary<string, List<Poll>> ReadPolls(string path)
    {
        var polls = new Dictionary<string, List<Poll>>(StringComparer.Ordinal);
        var lookup = polls.GetAlternateLookup<ReadOnlySpan<char>>();
        using var reader = Sep.Reader().FromFile(path);
        var idColumn = reader.Header.ColNames.ToList().FindIndex(n => n.TrimStart('\uFEFF') == "store_id");
        foreach (var row in reader)
        {
            var id = row[idColumn].Span;
            if (!lookup.TryGetValue(id, out var list))
            {
                lookup[id] = list = [];
            }

            if (!TimestampParser.TryParse(row["timestamp_utc"].Span, out var at))
            {
                throw new MalformedCsvException($"{path}:{row.LineNumberFrom}: bad timestamp");
            }

            list.Add(new Poll(at, row["status"].Span.SequenceEqual("active")));
        }

        return polls;
    }
}
