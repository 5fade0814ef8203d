using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StoreMonitoring.Import;
using StoreMonitoring.Incidents;
using StoreMonitoring.Reports;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>
    /// Registers webhook subscriptions, the outbox and its observers (so every host that changes
    /// incidents, the CLI's import included, queues events) and the delivery client. The web host
    /// adds the worker that delivers.
    /// </summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsAnnotations>();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsRules>();
        services.AddMetrics();

        services.AddSingleton<WakeSignal<DeliveryQueue>>();
        services.AddSingleton<WebhookSubscriptions>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<DeliveryQueue>();
        services.AddSingleton<DestinationGuard>();
        services.AddSingleton<WebhookMetrics>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<StaleStoreCheck>();
        services.AddSingleton<WebhookAlerts>();
        services.AddSingleton<IIncidentObserver>(static sp => sp.GetRequiredService<WebhookAlerts>());
        services.AddSingleton<IReportObserver>(static sp => sp.GetRequiredService<WebhookAlerts>());
        services.AddSingleton<IImportObserver>(static sp => sp.GetRequiredService<WebhookAlerts>());

        // Timeouts come from the options, per attempt; redirects are not followed (a 3xx is a
        // failed attempt) and every connection goes through the SSRF guard.
        services.AddHttpClient(WebhookDispatcher.ClientName, static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectCallback = sp.GetRequiredService<DestinationGuard>().ConnectAsync,
            });
        return services;
    }
}
