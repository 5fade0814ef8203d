using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StoreMonitoring.Alerts;

/// <summary>The <c>StoreMonitoring:Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "StoreMonitoring:Webhooks";

    /// <summary>
    /// The default retry schedule after the first attempt: the Standard Webhooks suggestion
    /// (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), eight attempts over about 27.5 hours.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>Whether this process delivers webhooks and checks for stale stores.</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>Allow loopback, private and link-local destinations (tests, local development).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Delays before the 2nd, 3rd, … attempt; empty means <see cref="DefaultRetryDelays"/>.</summary>
    /// <remarks>
    /// Configuration binding appends to a list it finds filled, so the default lives outside it:
    /// a configured list replaces the default instead of extending it.
    /// </remarks>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>Up to this share of a retry delay is added at random, so failed receivers are not hit in lockstep.</summary>
    [Range(0.0, 1.0)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>An open store with no poll for longer than this raises <c>store.stale</c>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(3);

    /// <summary>How often the stale-store check runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan StaleCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one delivery attempt may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an idle worker looks for due deliveries (a local event wakes it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a worker's claim on a delivery lasts without a renewal; longer than <see cref="Timeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Finished deliveries (delivered, failed, cancelled) older than this are deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Deliveries one process sends at the same time.</summary>
    [Range(1, 64)]
    public int MaxConcurrentDeliveries { get; set; } = 4;

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays.Count == 0 ? DefaultRetryDelays : RetryDelays;

    /// <summary>The first attempt plus one per retry delay.</summary>
    public int MaxAttempts => 1 + EffectiveRetryDelays.Count;
}

[OptionsValidator]
public sealed partial class WebhookOptionsAnnotations : IValidateOptions<WebhookOptions>;

/// <summary>The rules data annotations cannot say.</summary>
public sealed class WebhookOptionsRules : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (options.RetryDelays.Count > 50)
        {
            failures.Add("StoreMonitoring:Webhooks:RetryDelays holds at most 50 delays.");
        }

        if (options.RetryDelays.Any(d => d < TimeSpan.Zero || d > TimeSpan.FromDays(2)))
        {
            failures.Add("StoreMonitoring:Webhooks:RetryDelays: each delay lies between 00:00:00 and 2.00:00:00.");
        }

        if (options.Lease <= options.Timeout)
        {
            failures.Add("StoreMonitoring:Webhooks:Lease must be longer than StoreMonitoring:Webhooks:Timeout, or a slow attempt could be sent twice.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
