using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using StoreMonitoring.Incidents;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Alerts;

/// <summary>The event types and their payloads, shaped as the Standard Webhooks spec says: <c>{"type","timestamp","data"}</c>.</summary>
public static class WebhookEvents
{
    public const string StoreDown = "store.down";
    public const string StoreRecovered = "store.recovered";
    public const string StoreStale = "store.stale";
    public const string ReportCompleted = "report.completed";
    public const string ImportCompleted = "import.completed";
    public const string Test = "webhook.test";

    /// <summary>The events a subscription can ask for (<see cref="Test"/> is sent on request only).</summary>
    public static readonly IReadOnlyList<string> Subscribable = [StoreDown, StoreRecovered, StoreStale, ReportCompleted, ImportCompleted];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Payload<T>(string type, DateTimeOffset timestamp, T data) =>
        JsonSerializer.Serialize(new Envelope<T>(type, UnixMicros.Format(UnixMicros.FromDateTimeOffset(timestamp)), data), Json);

    public static IncidentData Incident(IncidentSnapshot incident, int minMinutes)
    {
        var zone = BusinessHours.ZoneOrDefault(incident.TimeZone);
        return new IncidentData(
            incident.StoreId, incident.IncidentId, zone.Id,
            UnixMicros.Format(incident.StartUs), Local(incident.StartUs, zone),
            incident.EndUs is { } end ? UnixMicros.Format(end) : null, incident.EndUs is { } e ? Local(e, zone) : null,
            Math.Round((double)incident.DownUs / UnixMicros.PerMinute, 2), incident.Polls, minMinutes);
    }

    public static StaleData Stale(string storeId, DateTimeZone zone, long lastPollUs, long nowUs) => new(
        storeId, zone.Id, UnixMicros.Format(lastPollUs), Local(lastPollUs, zone), UnixMicros.Format(nowUs), Local(nowUs, zone),
        Math.Round((double)(nowUs - lastPollUs) / UnixMicros.PerMinute, 2));

    /// <summary>RFC 3339 in the store's zone with its offset and the shortest exact fraction, e.g. 2024-10-14T18:55:18.727055-05:00 or 2024-10-14T19:00:00-05:00.</summary>
    public static string Local(long micros, DateTimeZone zone) =>
        UnixMicros.ToInstant(micros).InZone(zone).ToOffsetDateTime().ToString(UnixMicros.OffsetPattern, System.Globalization.CultureInfo.InvariantCulture);

    private sealed record Envelope<T>(string Type, string Timestamp, T Data);
}

/// <param name="DurationMinutes">Business time the store has been down in this incident (closed time never counts).</param>
public sealed record IncidentData(
    string StoreId, string IncidentId, string Timezone, string Start, string StartLocal, string? End, string? EndLocal, double DurationMinutes, int Polls, int MinMinutes);

public sealed record StaleData(string StoreId, string Timezone, string LastPoll, string LastPollLocal, string Now, string NowLocal, double MinutesSinceLastPoll);

public sealed record ReportData(string ReportId, string Method, string? Now, int Stores);

public sealed record ImportFileData(string Kind, string File, long Imported, long Unchanged, long Rejected, long Conflicts, string? Error);

public sealed record ImportData(bool Succeeded, string StartedAt, string FinishedAt, IReadOnlyList<ImportFileData> Files, IReadOnlyList<string> MissingFiles);

public sealed record TestData(string WebhookId, string Message);
