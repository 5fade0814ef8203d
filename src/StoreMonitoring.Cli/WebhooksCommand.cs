using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Alerts;
using StoreMonitoring.Time;

namespace StoreMonitoring.Cli;

internal static class WebhooksCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the webhook subscriptions (secrets are never shown).");
        list.SetAction((_, cancellationToken) => CliHost.RunAsync(ListAsync, cancellationToken));

        var id = new Argument<string>("id") { Description = "The subscription's webhook_id" };
        var limit = new Option<int>("--limit") { Description = "How many deliveries, newest first (default 50)", DefaultValueFactory = _ => 50 };
        var deliveries = new Command("deliveries", "List a subscription's deliveries: status, attempts, last response.") { id, limit };
        deliveries.SetAction((parse, cancellationToken) => CliHost.RunAsync(ct => DeliveriesAsync(parse.GetValue(id)!, parse.GetValue(limit), ct), cancellationToken));

        return new Command("webhooks", "Inspect webhook subscriptions and their deliveries.") { list, deliveries };
    }

    private static async Task<int> ListAsync(CancellationToken cancellationToken)
    {
        using var host = CliHost.Build();
        await CliHost.PrepareDatabaseAsync(host.Services, cancellationToken);
        var subscriptions = await host.Services.GetRequiredService<WebhookSubscriptions>().ListAsync(1000, cancellationToken);
        Console.WriteLine("webhook_id\tenabled\tevents\tstores\tmin_minutes\tcreated_at\turl");
        foreach (var s in subscriptions)
        {
            var stores = s.StoreIds is null ? "all" : s.StoreIds.Count.ToString();
            Console.WriteLine($"{s.WebhookId}\t{(s.DisabledAtUs is null ? "yes" : "no")}\t{string.Join(',', s.Events)}\t{stores}\t{s.MinMinutes}\t{UnixMicros.Format(s.CreatedAtUs)}\t{s.Url}");
        }

        return 0;
    }

    private static async Task<int> DeliveriesAsync(string webhookId, int limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 10_000)
        {
            throw new ArgumentException($"--limit {limit} is not valid: use 1 to 10000.");
        }

        using var host = CliHost.Build();
        await CliHost.PrepareDatabaseAsync(host.Services, cancellationToken);
        if (await host.Services.GetRequiredService<WebhookSubscriptions>().GetAsync(webhookId, cancellationToken) is null)
        {
            await Console.Error.WriteLineAsync($"storemon: no webhook with id {webhookId}.");
            return 1;
        }

        Console.WriteLine("delivery_id\tevent_type\tstatus\tattempts\tlast_response_code\tlast_attempt_at\tlast_error");
        foreach (var d in await host.Services.GetRequiredService<WebhookOutbox>().ListAsync(webhookId, limit, cancellationToken))
        {
            var at = d.LastAttemptUs is { } a ? UnixMicros.Format(a) : "";
            Console.WriteLine($"{d.DeliveryId}\t{d.EventType}\t{d.Status.Name()}\t{d.Attempts}\t{d.LastStatusCode}\t{at}\t{d.LastError}");
        }

        return 0;
    }
}
