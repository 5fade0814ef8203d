using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace StoreMonitoring.Api.Operations;

/// <summary>The <c>StoreMonitoring:RateLimit</c> section: a fixed window per API key (per client address when open).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "StoreMonitoring:RateLimit";

    /// <summary>Requests one client may make per window; health probes are not counted.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 100;

    [Range(1, 3600)]
    public int WindowSeconds { get; set; } = 10;
}

/// <summary>The <c>StoreMonitoring:Limits</c> section: request body sizes.</summary>
public sealed class BodyLimitOptions
{
    public const string Section = "StoreMonitoring:Limits";

    /// <summary>For endpoints that name no limit of their own (they take no body).</summary>
    [Range(0, 1 << 20)]
    public long DefaultBodyBytes { get; set; } = 4 * 1024;

    /// <summary>Reserved for bulk ingest (<c>POST /polls</c>): the largest body Kestrel accepts at all.</summary>
    [Range(1024, 1L << 30)]
    public long IngestBodyBytes { get; set; } = 32L * 1024 * 1024;
}

/// <summary>A body limit for one endpoint; Kestrel also enforces it while the body is read.</summary>
internal sealed record BodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata
{
    /// <summary>For endpoints whose input is all in the query string (trigger, import).</summary>
    public const long Tiny = 1024;
}

internal static partial class Limits
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    public static WebApplicationBuilder AddRequestLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<BodyLimitOptions>().BindConfiguration(BodyLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<BodyLimitOptions>>((kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.IngestBodyBytes);
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((options, settings) =>
        {
            var (permits, window) = (settings.Value.PermitLimit, TimeSpan.FromSeconds(settings.Value.WindowSeconds));
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(Client(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = window,
                    QueueLimit = 0,
                }));
            options.OnRejected = OnRejectedAsync;
        });
        return builder;
    }

    /// <summary>Rate limits, then body limits: both after authentication, so the limiter knows the key.</summary>
    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        app.Use(RejectLargeBodies);
        return app;
    }

    // The key's name when one was accepted (behind a proxy every client shares one address), else
    // the client's address; an unauthenticated flood so shares its address's window.
    private static string Client(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name } ? $"key:{name}" : $"ip:{context.Connection.RemoteIpAddress}";

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        LogRejected(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("StoreMonitoring.Api.RateLimit"), Client(context));
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = $"The rate limit was reached; try again in {seconds} s." },
        });
    }

    // Trigger and import read no body, so Kestrel's own limit would never fire for them: a declared
    // length is checked here, before the endpoint runs. A chunked body past the limit fails as it is read.
    private static async Task RejectLargeBodies(HttpContext context, RequestDelegate next)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
            ?? context.RequestServices.GetRequiredService<IOptions<BodyLimitOptions>>().Value.DefaultBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status413PayloadTooLarge, Title = "Request body too large", Detail = $"This endpoint accepts a body of at most {limit} bytes." },
            });
            return;
        }

        await next(context);
    }

    [LoggerMessage(5101, LogLevel.Debug, "Rate limit reached for {Client}")]
    private static partial void LogRejected(ILogger logger, string client);
}
