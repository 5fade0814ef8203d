using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StoreMonitoring.Reports.Estimation;

namespace StoreMonitoring;

/// <summary>The <c>StoreMonitoring</c> configuration section.</summary>
public sealed class StoreMonitoringOptions
{
    public const string Section = "StoreMonitoring";

    /// <summary>Where the three input CSV files are read from; relative to the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Where finished reports are also exported as CSV files; relative to the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ReportDirectory { get; set; } = "reports";

    public DatabaseOptions Database { get; set; } = new();

    [ValidateObjectMembers]
    public ReportOptions Reports { get; set; } = new();

    [ValidateObjectMembers]
    public ImportOptions Import { get; set; } = new();

    [ValidateObjectMembers]
    public InputOptions Input { get; set; } = new();

    [ValidateObjectMembers]
    public EstimatorSettings Estimation { get; set; } = new();

    [ValidateObjectMembers]
    public RetentionOptions Retention { get; set; } = new();
}

/// <summary>How long raw polls and daily rollups are kept (docs/periods.md, "History").</summary>
public sealed class RetentionOptions
{
    /// <summary>The shortest poll retention: the last-week report and the estimator's reach before it need a week and a day.</summary>
    public const int MinPollDays = 8;

    /// <summary>
    /// Raw polls older than this many days are deleted; 0 (the default) keeps them forever. The
    /// daily rollups of their dates stay as they were ("frozen"), so period reports do not change.
    /// </summary>
    [Range(0, 36_500)]
    public int PollDays { get; set; }

    /// <summary>Daily rollups of local dates more than this many days before today (UTC) are deleted; 0 keeps them forever.</summary>
    [Range(0, 36_500)]
    public int RollupDays { get; set; } = 400;
}

public enum DatabaseProvider
{
    /// <summary>The embedded default: one file, no server.</summary>
    Sqlite,

    /// <summary>MySQL 8 or MariaDB 10.6+ (also spelled <c>mariadb</c>).</summary>
    MySql,

    MariaDb = MySql,
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at start-up; defaults to true for SQLite and false for MySQL.</summary>
    public bool? MigrateOnStart { get; set; }

    /// <summary>
    /// Open the database before the service listens and stop with one line when it cannot be used
    /// (the default); false lets the service start with its database down and answer 503 (and
    /// /health/ready 503) until it comes back.
    /// </summary>
    public bool CheckOnStart { get; set; } = true;

    /// <summary>MariaDB Galera only: every read waits for the writes committed on the other nodes (wsrep_sync_wait = 1).</summary>
    public bool CausalReads { get; set; }

    /// <summary>Filled from <c>ConnectionStrings:StoreMonitoring</c>.</summary>
    public string? ConnectionString { get; set; }
}

public sealed class ReportOptions
{
    /// <summary>Whether this process computes reports; an API-only instance leaves them to others on the same database.</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>How many report shards (or report plans) one process computes at the same time.</summary>
    [Range(1, 16)]
    public int MaxConcurrentReports { get; set; } = 1;

    /// <summary>
    /// Stores per shard: a report is split into shards of this many stores, which any instance's
    /// worker claims, so several instances compute one report together.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ShardStores { get; set; } = 1000;

    /// <summary>This instance's name in worker ids (who planned a report, who computed a shard); the machine's name when not set.</summary>
    [MaxLength(100)]
    public string? InstanceName { get; set; }

    /// <summary>Stores per batch of rows handed on while a report is read (the CLI writes its CSV a batch at a time).</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>How long a worker's claim on a running report lasts without a renewal.</summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How many times a report is started before a worker lost again and again (a crash loop) makes it fail.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How often an idle worker looks for queued reports from other processes.</summary>
    [Range(0.05, 60)]
    public double PollIntervalSeconds { get; set; } = 1;

    /// <summary>The method used when a request names none.</summary>
    public EstimationMethod DefaultMethod { get; set; } = EstimationMethod.Interpolated;

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

public sealed class ImportOptions
{
    /// <summary>How long the database-wide import lock lasts without a renewal: a dead importer's lock is free after this.</summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 15;

    /// <summary>
    /// 0: a status file is imported in one transaction. Otherwise, after a check of the whole file's
    /// structure, in transactions of this many accepted polls each (10,000 or more), so that no
    /// single write set grows with the file, as a Galera cluster needs.
    /// </summary>
    [Range(0, 10_000_000)]
    public int CommitEveryRows { get; set; }

    /// <summary>The smallest chunk: each commit also updates incidents and renews the lease, work not worth doing every few polls.</summary>
    public const int MinCommitEveryRows = 10_000;
}

/// <summary>What the service accepts as an instant, from files, query strings and its own clock.</summary>
public sealed class InputOptions
{
    /// <summary>The earliest instant accepted.</summary>
    public DateTimeOffset EarliestTimestamp { get; set; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far past the service's clock an instant may lie (pollers' clocks drift).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>Data-annotation rules, generated at compile time, through every nested section.</summary>
[OptionsValidator]
public sealed partial class StoreMonitoringOptionsAnnotations : IValidateOptions<StoreMonitoringOptions>;

/// <summary>The rules that span several settings.</summary>
public sealed class StoreMonitoringOptionsRules : IValidateOptions<StoreMonitoringOptions>
{
    private static readonly DateTimeOffset LatestEarliest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public ValidateOptionsResult Validate(string? name, StoreMonitoringOptions options)
    {
        var failures = new List<string>();
        if (options.Database.Provider == DatabaseProvider.MySql && string.IsNullOrWhiteSpace(options.Database.ConnectionString))
        {
            failures.Add("ConnectionStrings:StoreMonitoring is required when StoreMonitoring:Database:Provider is mysql.");
        }

        if (!Enum.IsDefined(options.Database.Provider))
        {
            failures.Add($"StoreMonitoring:Database:Provider '{options.Database.Provider}' is not supported: use sqlite or mysql.");
        }

        if (!Enum.IsDefined(options.Reports.DefaultMethod))
        {
            failures.Add($"StoreMonitoring:Reports:DefaultMethod '{options.Reports.DefaultMethod}' is not a method: use interpolated, ratio or learned.");
        }

        if (options.Input.EarliestTimestamp.Year < 1970 || options.Input.EarliestTimestamp >= LatestEarliest)
        {
            failures.Add("StoreMonitoring:Input:EarliestTimestamp must lie between 1970 and 2100.");
        }

        if (options.Import.CommitEveryRows is > 0 and < ImportOptions.MinCommitEveryRows)
        {
            failures.Add($"StoreMonitoring:Import:CommitEveryRows must be 0 (one transaction per file) or between {ImportOptions.MinCommitEveryRows:N0} and 10,000,000.");
        }

        if (options.Retention.PollDays is > 0 and < RetentionOptions.MinPollDays)
        {
            failures.Add($"StoreMonitoring:Retention:PollDays must be 0 (keep raw polls forever) or at least {RetentionOptions.MinPollDays}: the last-week report and the estimator's reach before it need a week and a day of polls.");
        }

        if (options.Retention.PollDays > 0 && options.Retention.RollupDays > 0 && options.Retention.RollupDays < options.Retention.PollDays)
        {
            failures.Add($"StoreMonitoring:Retention:RollupDays ({options.Retention.RollupDays}) must be 0 (keep rollups forever) or at least StoreMonitoring:Retention:PollDays ({options.Retention.PollDays}): a date's rollup is what remains of it once its polls are gone.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
