using System.ComponentModel.DataAnnotations;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring;

/// <summary>The <c>StoreMonitoring</c> configuration section.</summary>
public sealed class StoreMonitoringOptions : IValidatableObject
{
    public const string Section = "StoreMonitoring";

    /// <summary>Where the three input CSV files are read from; relative to the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Where finished reports are also exported as CSV files; relative to the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ReportDirectory { get; set; } = "reports";

    public DatabaseOptions Database { get; set; } = new();

    public ReportOptions Reports { get; set; } = new();

    public EstimatorSettings Estimation { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new (string, object)[] { (nameof(Database), Database), (nameof(Reports), Reports), (nameof(Estimation), Estimation) })
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
            {
                foreach (var result in results)
                {
                    yield return new ValidationResult($"{name}: {result.ErrorMessage}", [.. result.MemberNames.Select(m => $"{name}:{m}")]);
                }
            }
        }

        if (Database.Provider is not ("sqlite" or "mysql" or "mariadb"))
        {
            yield return new ValidationResult($"Database:Provider '{Database.Provider}' is not supported: use 'sqlite' or 'mysql'.", ["Database:Provider"]);
        }

        if (!EstimationMethods.TryParse(Reports.DefaultMethod, out _))
        {
            yield return new ValidationResult($"Reports:DefaultMethod '{Reports.DefaultMethod}' is not a method: use 'interpolated' or 'ratio'.", ["Reports:DefaultMethod"]);
        }
    }
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (embedded, the default) or <c>mysql</c> (MySQL 8 / MariaDB 10.6+).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Provider { get; set; } = "sqlite";

    /// <summary>Apply pending migrations at start-up; defaults to true for SQLite and false for MySQL.</summary>
    public bool? MigrateOnStart { get; set; }

    /// <summary>Filled from <c>ConnectionStrings:StoreMonitoring</c>.</summary>
    public string? ConnectionString { get; set; }
}

public sealed class ReportOptions
{
    /// <summary>Whether this process computes reports; an API-only instance leaves them to others on the same database.</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>How many reports one process computes at the same time.</summary>
    [Range(1, 16)]
    public int MaxConcurrentReports { get; set; } = 1;

    /// <summary>Stores per batch: progress is saved and logged after each.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>How long a worker's claim on a running report lasts without a heartbeat.</summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How many times a report is started before a lost worker makes it fail.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 2;

    /// <summary>How often an idle worker looks for queued reports from other processes.</summary>
    [Range(0.05, 60)]
    public double PollIntervalSeconds { get; set; } = 1;

    /// <summary>The method used when a request names none.</summary>
    public string DefaultMethod { get; set; } = "interpolated";

    /// <summary>How many reports may wait (Pending) before a trigger is refused with 429.</summary>
    [Range(1, 10_000)]
    public int MaxQueued { get; set; } = 20;

    /// <summary>Finished reports (and import runs) older than this are deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Only the newest this many finished reports (and import runs) are kept.</summary>
    [Range(1, 100_000)]
    public int RetentionCount { get; set; } = 50;

    /// <summary>How often the retention cleanup runs (it also runs once at start-up).</summary>
    [Range(0.01, 1440)]
    public double RetentionIntervalMinutes { get; set; } = 60;
}
