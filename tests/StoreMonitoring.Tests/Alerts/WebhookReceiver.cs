using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>One request the receiver got, with the verdict of the StandardWebhooks package on its signature.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, bool Verified, long ReceivedAt, int Answer);

/// <summary>
/// A real HTTP receiver on 127.0.0.1 (Kestrel): it records every request, verifies its signature
/// with an implementation we did not write, and answers as the test says.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    // Ports 18400-18499, from a point that depends on the process so that two runs rarely meet;
    // a port in use is skipped.
    private const int FirstPort = 18400;
    private const int Ports = 100;
    private static int _next = Environment.ProcessId % Ports;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private string? _secret;
    private int _requests;

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>The signing secret, once the subscription is made.</summary>
    public string Secret { set => _secret = value; }

    /// <summary>How to answer the n-th request (0-based): status, Retry-After seconds, and a delay before answering.</summary>
    public Func<int, (int Status, int? RetryAfterSeconds, TimeSpan Delay)> Answer { get; set; } = _ => (200, null, TimeSpan.Zero);

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        for (var tries = 0; ; tries++)
        {
            var port = FirstPort + (Interlocked.Increment(ref _next) % Ports);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            var receiver = new WebhookReceiver(app, $"http://127.0.0.1:{port}/hook");
            app.MapPost("/hook", receiver.HandleAsync);
            try
            {
                await app.StartAsync();
                return receiver;
            }
            catch (IOException) when (tries < Ports)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests have come, or fails.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, int timeoutSeconds = 30)
    {
        var deadline = Stopwatch.StartNew();
        while (_received.Count < count)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(timeoutSeconds), $"{_received.Count} of {count} webhooks received after {timeoutSeconds} s.");
            await Task.Delay(20);
        }

        return Received;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var receivedAt = Stopwatch.GetTimestamp();
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers;
        var verified = false;
        if (_secret is not null)
        {
            try
            {
                new StandardWebhook(_secret).Verify(body, headers);
                verified = true;
            }
            catch (WebhookVerificationException)
            {
            }
        }

        var index = Interlocked.Increment(ref _requests) - 1;
        var (status, retryAfter, delay) = Answer(index);
        _received.Enqueue(new ReceivedWebhook(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body, verified, receivedAt, status));
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }

        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString();
        }

        context.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
