using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StoreMonitoring.Tests.Infrastructure;

/// <summary>
/// The real web host, with the real pipeline and the real database: only the connection string,
/// the folders and a few timings are overridden.
/// </summary>
/// <remarks>
/// The host runs in the Testing environment, where a service without keys refuses to start: it
/// runs open (<c>Auth:Mode=None</c>) unless the test configures authentication itself. The
/// <c>environment</c> setting picks another environment (e.g. Production).
/// </remarks>
public sealed class StoreMonitoringApp(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public const string Environment = "environment";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(settings.GetValueOrDefault(Environment) ?? "Testing");
        if (!settings.Keys.Any(k => k.StartsWith("StoreMonitoring:Auth:", StringComparison.Ordinal)))
        {
            builder.UseSetting("StoreMonitoring:Auth:Mode", "None");
        }

        foreach (var (key, value) in settings.Where(s => s.Key != Environment))
        {
            builder.UseSetting(key, value);
        }

        // STOREMON_TEST_LOGS=1 shows the host's log when a test needs explaining.
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            if (System.Environment.GetEnvironmentVariable("STOREMON_TEST_LOGS") == "1")
            {
                logging.AddConsole();
            }
        });
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }
}
