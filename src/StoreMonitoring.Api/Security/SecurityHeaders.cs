using System.Net;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using StoreMonitoring.Api.Operations;

namespace StoreMonitoring.Api.Security;

/// <summary>The <c>StoreMonitoring:Cors</c> section: browser origins allowed to call the API (none by default).</summary>
public sealed class CorsSettings
{
    public const string Section = "StoreMonitoring:Cors";

    public List<string> Origins { get; set; } = [];
}

/// <summary>The <c>StoreMonitoring:Docs</c> section.</summary>
public sealed class DocsSettings
{
    public const string Section = "StoreMonitoring:Docs";

    /// <summary>Serve <c>/docs</c> and <c>/openapi/v1.json</c>; unset means on everywhere but Production.</summary>
    public bool? Enabled { get; set; }
}

internal static class SecurityHeaders
{
    // Nothing the API serves as HTML needs scripts, styles or frames, except the docs page.
    private const string StrictPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    // Scalar's page is served from this origin (its script is bundled in the package) and configures
    // itself with an inline script and inline styles.
    private const string DocsPolicy =
        "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    // The dashboard: its own scripts, styles and API calls, nothing inline, nothing from elsewhere.
    private const string UiPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly string[] StateChanging = [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    public static WebApplicationBuilder AddResponseSecurity(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // Checked on start like every other options class: a typo fails the start, naming the setting.
        builder.Services.AddOptions<CorsSettings>().BindConfiguration(CorsSettings.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CorsSettings>, SettingsValidator>();
        builder.Services.AddOptions<DocsSettings>().BindConfiguration(DocsSettings.Section).ValidateOnStart();
        builder.Services.AddOptions<ReverseProxySettings>().BindConfiguration(ReverseProxySettings.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReverseProxySettings>, SettingsValidator>();
        var origins = builder.Configuration.GetSection(CorsSettings.Section).Get<CorsSettings>()?.Origins ?? [];
        if (origins.Count > 0)
        {
            builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
                .WithOrigins([.. origins])
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders("Authorization", ApiKeyHandler.HeaderName, "Content-Type")
                .WithExposedHeaders("Retry-After")));
        }

        return builder;
    }

    /// <summary>Headers on every response; CORS only for configured origins; cross-site writes refused.</summary>
    public static WebApplication UseResponseSecurity(this WebApplication app)
    {
        var origins = app.Configuration.GetSection(CorsSettings.Section).Get<CorsSettings>()?.Origins ?? [];
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
                {
                    headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs") ? DocsPolicy
                        : context.Request.Path.StartsWithSegments("/ui") ? UiPolicy : StrictPolicy;
                }

                return Task.CompletedTask;
            });
            return next(context);
        });

        // A browser sends a cross-site form POST without asking (no CORS preflight): with keys it
        // fails for want of one, but an open service would act on it. Origin names the page that sent it.
        app.Use(async (context, next) =>
        {
            var origin = context.Request.Headers.Origin.ToString();
            if (origin.Length > 0 && StateChanging.Contains(context.Request.Method) && !SameOrigin(context.Request, origin) && !origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Cross-origin request refused", Detail = "This origin may not change the service; configure StoreMonitoring:Cors:Origins to allow it." },
                });
                return;
            }

            await next(context);
        });

        if (origins.Count > 0)
        {
            app.UseCors();
        }

        return app;
    }

    /// <summary><c>/docs</c> and <c>/openapi/v1.json</c>, public when on: off in Production unless enabled.</summary>
    public static WebApplication MapDocs(this WebApplication app)
    {
        var enabled = app.Configuration.GetSection(DocsSettings.Section).Get<DocsSettings>()?.Enabled ?? !app.Environment.IsProduction();
        if (enabled)
        {
            app.MapOpenApi().AllowAnonymous();
            // Scalar's default fonts come from its CDN, which the docs policy does not allow; its
            // upsells (the developer toolbar's deploy and share, the AI agent, MCP, the SDK client
            // button) and its telemetry have no place in a service's own reference.
            app.MapScalarApiReference("/docs", scalar => scalar
                .DisableDefaultFonts()
                .HideDeveloperTools()
                .DisableAgent()
                .DisableMcp()
                .HideClientButton()
                .DisableTelemetry()).AllowAnonymous();
        }

        return app;
    }

    private static bool SameOrigin(HttpRequest request, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The CORS origins and the trusted proxies, checked on start.</summary>
internal sealed class SettingsValidator : IValidateOptions<CorsSettings>, IValidateOptions<ReverseProxySettings>
{
    public ValidateOptionsResult Validate(string? name, CorsSettings options)
    {
        var bad = options.Origins.Where(o => !Uri.TryCreate(o, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || o.EndsWith('/')).ToList();
        return bad.Count == 0 ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{CorsSettings.Section}:Origins: {string.Join(", ", bad.Select(o => $"'{o}'"))} is not an origin (scheme://host[:port], no path or trailing slash).");
    }

    public ValidateOptionsResult Validate(string? name, ReverseProxySettings options)
    {
        var bad = options.KnownProxies.Where(p => !IPAddress.TryParse(p, out _)).ToList();
        return bad.Count == 0 ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{ReverseProxySettings.Section}:KnownProxies: {string.Join(", ", bad.Select(p => $"'{p}'"))} is not an IP address.");
    }
}
