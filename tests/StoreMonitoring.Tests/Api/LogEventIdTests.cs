using System.Reflection;
using Microsoft.Extensions.Logging;

namespace StoreMonitoring.Tests.Api;

/// <summary>A log event id finds one kind of event, whichever assembly wrote it.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_event_id_is_used_once_across_the_solution()
    {
        Assembly[] assemblies =
        [
            typeof(StoreMonitoring.Storage.StoreDatabase).Assembly,
            typeof(StoreMonitoring.Api.Reports.ReportWorker).Assembly,
            typeof(StoreMonitoring.Cli.CliHost).Assembly,
            typeof(StoreMonitoring.Lab.Generation.DataGenerator).Assembly,
        ];
        var events = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        Assert.True(events.Count > 30, $"found only {events.Count} log events: the scan misses some");
        var repeated = events.GroupBy(e => e.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}").ToList();
        Assert.Empty(repeated);
    }
}
