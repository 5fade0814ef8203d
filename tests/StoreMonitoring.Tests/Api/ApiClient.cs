using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StoreMonitoring.Tests.Api;

internal static class ApiClient
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<string> TriggerAsync(this HttpClient client, string query = "")
    {
        var response = await client.PostAsync($"/trigger_report{query}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("report_id").GetString()!;
    }

    /// <summary>Polls until the report is no longer running; returns the final response.</summary>
    public static async Task<HttpResponseMessage> WaitForReportAsync(this HttpClient client, string reportId, string query = "", int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var response = await client.GetAsync($"/get_report?report_id={reportId}{query}");
            if (response.StatusCode == HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline)
            {
                // Polled past the rate limit (a slow machine): wait as the service asks.
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                return response;
            }

            var body = await response.JsonAsync();
            if (body.TryGetProperty("status", out var status) && status.GetString() != "Running")
            {
                return response;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Report {reportId} still running after {timeoutSeconds} s.");
            await Task.Delay(50);
        }
    }

    public static Task<HttpResponseMessage> ImportAsync(this HttpClient client) => client.PostAsync("/import_data", null);

    public static async Task<T?> ReadAsync<T>(this HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<T>();
}
