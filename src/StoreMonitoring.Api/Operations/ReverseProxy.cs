using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace StoreMonitoring.Api.Operations;

/// <summary>The <c>StoreMonitoring:ReverseProxy</c> section.</summary>
public sealed class ReverseProxySettings
{
    public const string Section = "StoreMonitoring:ReverseProxy";

    /// <summary>Addresses of proxies whose X-Forwarded-For/-Proto are believed; loopback always is.</summary>
    public List<string> KnownProxies { get; set; } = [];
}

internal static class ReverseProxy
{
    /// <summary>
    /// Behind nginx the connection comes from the proxy: the forwarded headers give the rate limiter
    /// the real client and the origin check the real scheme. Only trusted proxies may set them.
    /// </summary>
    public static WebApplication UseReverseProxyHeaders(this WebApplication app)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        foreach (var proxy in app.Configuration.GetSection(ReverseProxySettings.Section).Get<ReverseProxySettings>()?.KnownProxies ?? [])
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        app.UseForwardedHeaders(options);
        return app;
    }
}
