using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Api.Operations;

/// <summary>
/// What the service says when it cannot start: one line on standard error naming the setting and
/// what to do, and a small exit code (documented in docs/operations.md), never a stack trace.
/// </summary>
internal static partial class Startup
{
    /// <summary>The exit codes of a start-up that failed.</summary>
    public const int Ok = 0, Unexpected = 1, BadConfiguration = 2, AddressInUse = 3, DatabaseUnusable = 4;

    public const string Help = """
        Store Monitoring API: uptime and downtime of stores within their business hours.

        Usage: StoreMonitoring.Api [--urls URL[;URL...]] [--environment NAME] [--KEY=VALUE ...]
               (from the repository: dotnet run --project src/StoreMonitoring.Api -- [options])

          --urls URL                  where to listen (default http://localhost:8000; also ASPNETCORE_URLS)
          --environment NAME          Development (dotnet run's default), Production, ...
          --KEY=VALUE                 any setting, e.g. --StoreMonitoring:DataDirectory=/srv/data
                                      (also as environment variables: StoreMonitoring__DataDirectory=/srv/data)
          -h, --help                  print this and exit

        Common settings:
          ConnectionStrings:StoreMonitoring   the database (default: SQLite at ~/.local/share/storemonitoring/storemonitoring.db,
                                              the same file storemon uses)
          StoreMonitoring:Database:Provider   sqlite (default) or mysql
          StoreMonitoring:DataDirectory       where POST /import_data reads the CSV files
          StoreMonitoring:Auth:Keys:N:...     API keys (storemon apikey create prints them); required outside Development

        Exit codes: 0 stopped normally, 1 unexpected failure, 2 bad configuration,
                    3 address already in use, 4 database cannot be used.
        Every setting: docs/configuration.md.

        """;

    /// <summary>
    /// The host logs a start that failed (a port in use) with its stack trace before the exception
    /// reaches <c>Program</c>, which says the same in one line; a background service that fails
    /// later is still logged, at Critical, as it stops the host.
    /// </summary>
    public static void QuietStartupFailures(this WebApplicationBuilder builder) =>
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

    /// <summary>
    /// Until the service has started, an exception that escapes the entry point prints its one
    /// line and exits with its code, before the runtime would print a stack trace and abort (134).
    /// </summary>
    public static void ReportFailuresUntilStarted()
    {
        // At most once per process, however many hosts a test run builds.
        AppDomain.CurrentDomain.UnhandledException -= OnStartupFailure;
        AppDomain.CurrentDomain.UnhandledException += OnStartupFailure;
    }

    /// <summary>Once listening, an unexpected crash keeps the runtime's full report.</summary>
    public static void Started() => AppDomain.CurrentDomain.UnhandledException -= OnStartupFailure;

    private static void OnStartupFailure(object sender, UnhandledExceptionEventArgs e)
    {
        var (exitCode, message) = Describe(e.ExceptionObject as Exception ?? new InvalidOperationException("unknown failure"));
        Console.Error.WriteLine($"StoreMonitoring.Api: {message}");
        Console.Error.Flush();
        Environment.Exit(exitCode);
    }

    public static bool WantsHelp(string[] args) => args.Any(a => a is "-h" or "--help" or "-?" or "/?");

    /// <summary>
    /// Runs what would otherwise fail later in the host's start, with a stack trace in the log:
    /// every options validation, then one open (and, when migrating, one write) of the database.
    /// </summary>
    public static void CheckBeforeStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(Started);
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        DatabaseCheck.CheckAsync(app.Services, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The line and the exit code for an exception that ended start-up.</summary>
    public static (int ExitCode, string Message) Describe(Exception exception) => exception switch
    {
        OptionsValidationException options => (BadConfiguration, $"bad configuration: {string.Join(" ", options.Failures.Select(Sentence))}"),
        DatabaseUnusableException database => (DatabaseUnusable, database.Message),
        InvalidOperationException { Message: var m } when ConversionFailure().Match(m) is { Success: true } match =>
            (BadConfiguration, $"bad configuration: {match.Groups["key"].Value} = '{match.Groups["value"].Value}' is not {Kind(match.Groups["type"].Value)}."),
        IOException io when io.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || io.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase) =>
            (AddressInUse, $"{AddressOf(exception.Message)} is already in use by another process: stop it, or listen elsewhere with --urls http://127.0.0.1:PORT (or ASPNETCORE_URLS)."),
        IOException { InnerException: SocketException socket } =>
            (AddressInUse, $"cannot listen on {AddressOf(exception.Message)}: {socket.Message}. Choose another address with --urls."),
        FormatException { Message: var m } => (BadConfiguration, $"bad command line: {m} Options are --urls URL or --KEY=VALUE; --help lists them."),
        _ => (Unexpected, $"start-up failed: {exception.GetType().Name}: {exception.Message}"),
    };

    /// <summary>
    /// A data-annotation failure names the member and the options class ("MaxConcurrentReports:
    /// The field StoreMonitoringOptions.Reports.MaxConcurrentReports must be ..."); say the setting
    /// as it is configured instead.
    /// </summary>
    private static string Sentence(string failure)
    {
        if (AnnotationFailure().Match(failure) is { Success: true } m)
        {
            var section = m.Groups["type"].Value switch
            {
                "StoreMonitoringOptions" => "StoreMonitoring",
                "WebhookOptions" => "StoreMonitoring:Webhooks",
                "ApiKeyOptions" => "StoreMonitoring:Auth",
                var other => other,
            };
            failure = $"{section}:{m.Groups["path"].Value.Replace('.', ':')} {m.Groups["rule"].Value}";
        }

        return failure.EndsWith('.') ? failure : failure + ".";
    }

    [GeneratedRegex(@"^\w+: The field (?<type>\w+)\.(?<path>[\w.]+) (?<rule>.*)$")]
    private static partial Regex AnnotationFailure();

    private static string AddressOf(string message) => BindAddress().Match(message) is { Success: true } m ? m.Groups["address"].Value : "the address";

    private static string Kind(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.Int16" => "a whole number",
        "System.Double" or "System.Decimal" or "System.Single" => "a number",
        "System.Boolean" => "true or false",
        "System.TimeSpan" => "a duration (hh:mm:ss or d.hh:mm:ss)",
        "System.DateTimeOffset" or "System.DateTime" => "a date and time (ISO 8601)",
        _ when type.StartsWith("StoreMonitoring.", StringComparison.Ordinal) => "one of the accepted values",
        _ => "a valid value",
    };

    [GeneratedRegex(@"configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();

    [GeneratedRegex(@"bind to address (?<address>\S+?)(:?\s|$|:\s)")]
    private static partial Regex BindAddress();
}
