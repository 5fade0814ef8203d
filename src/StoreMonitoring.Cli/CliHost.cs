using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Cli;

/// <summary>
/// The same services as the web host, configured the same way (appsettings.json in the current
/// directory, then STOREMONITORING-style environment variables), without the web front end.
/// </summary>
internal static class CliHost
{
    /// <summary>Exit codes: 1 bad input or data, 2 bad usage or configuration, 3 another import is running, 4 the database cannot be used.</summary>
    public const int UsageExitCode = 2, DatabaseExitCode = 4;

    /// <param name="settings">Configuration that wins over every other source (a verb's own database, for one).</param>
    public static IHost Build(LogLevel minimumLevel = LogLevel.Warning, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // Command-line arguments belong to the verbs, not to configuration.
            Args = [],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(minimumLevel);
        builder.Services.AddStoreMonitoring();
        var host = builder.Build();
        // The same checks the web host runs at start: a CLI that is never started would otherwise
        // meet a bad setting only where it is first used, with a less clear message.
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        return host;
    }

    /// <summary>Creates or upgrades the schema when configured to, as the web host does at start-up.</summary>
    public static Task PrepareDatabaseAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        DatabaseCheck.CheckAsync(services, cancellationToken);

    /// <summary>Runs a verb: a clear message and a non-zero exit code instead of a stack trace.</summary>
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> verb, CancellationToken cancellationToken)
    {
        try
        {
            return await verb(cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"storemon: configuration error: {string.Join("; ", ex.Failures)}");
            return UsageExitCode;
        }
        catch (DatabaseUnusableException ex)
        {
            await Console.Error.WriteLineAsync($"storemon: {ex.Message}");
            return DatabaseExitCode;
        }
        catch (ArgumentException ex)
        {
            // A bad argument: only the rule it broke.
            await Console.Error.WriteLineAsync($"storemon: {ex.Message}");
            return UsageExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("storemon: cancelled");
            return 130;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"storemon: {ex.Message}");
            return 1;
        }
    }
}

/// <summary>A progress line on standard error: redrawn in place on a terminal, one line a second otherwise.</summary>
internal sealed class ProgressLine(TimeProvider time)
{
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private long _lastTicks;

    /// <summary>Standard error without <see cref="TerminalSafeWriter"/>: the carriage return that redraws the line is storemon's own.</summary>
    internal static TextWriter RawError { get; set; } = Console.Error;

    public void Show(string text, bool force = false)
    {
        var now = time.GetTimestamp();
        if (!force && time.GetElapsedTime(_lastTicks, now) < (_interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(1)))
        {
            return;
        }

        _lastTicks = now;
        if (_interactive)
        {
            RawError.Write('\r');
            Console.Error.Write($"{text,-78}");
        }
        else
        {
            Console.Error.WriteLine(text);
        }
    }

    public void Done()
    {
        if (_interactive && _lastTicks != 0)
        {
            Console.Error.WriteLine();
        }
    }
}
