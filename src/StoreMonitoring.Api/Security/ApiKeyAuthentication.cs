using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using StoreMonitoring.Security;

namespace StoreMonitoring.Api.Security;

internal static partial class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";
    public const string ScopeClaim = "scope";

    /// <summary>
    /// API keys (<c>Authorization: Bearer</c> or <c>X-API-Key</c>) and the two policies, <c>read</c>
    /// and <c>write</c>. Every endpoint needs <c>read</c> unless it says otherwise (the fallback
    /// policy), so a new endpoint is never public by accident. Nothing is a cookie, so no request
    /// can ride on a browser's ambient credentials.
    /// </summary>
    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        builder.Services.AddSingleton(sp => ApiAccess.From(sp.GetRequiredService<IOptions<ApiKeyOptions>>().Value));
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, null);
        builder.Services.AddAuthorization();
        builder.Services.AddApiKeyOpenApi();
        builder.Services.AddSingleton<IConfigureOptions<AuthorizationOptions>, ConfigurePolicies>();
        return builder;
    }

    /// <summary>Resolves the access mode now, so a service that must not start open fails before it listens.</summary>
    public static ApiAccess CheckApiAccess(this WebApplication app)
    {
        ApiAccess access;
        try
        {
            access = app.Services.GetRequiredService<ApiAccess>();
        }
        catch (OptionsValidationException ex)
        {
            // Logged too, so that a log collector sees why the service is not running.
            LogRefused(app.Logger, string.Join(" ", ex.Failures));
            throw;
        }

        if (!access.KeysRequired)
        {
            LogOpen(app.Logger, app.Environment.EnvironmentName);
        }

        return access;
    }

    [LoggerMessage(5003, LogLevel.Critical, "Refusing to start: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(5001, LogLevel.Warning, "No API keys are in use ({Environment}): anyone who can reach this service can read and change it")]
    private static partial void LogOpen(ILogger logger, string environment);

    private sealed class ConfigurePolicies(ApiAccess access) : IConfigureOptions<AuthorizationOptions>
    {
        public void Configure(AuthorizationOptions options)
        {
            var read = Policy(ApiKeyFormat.Read);
            options.AddPolicy(ApiKeyFormat.Read, read);
            options.AddPolicy(ApiKeyFormat.Write, Policy(ApiKeyFormat.Write));
            options.FallbackPolicy = read;
        }

        private AuthorizationPolicy Policy(string scope) => access.KeysRequired
            ? new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().RequireClaim(ScopeClaim, scope).Build()
            : new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build();
    }
}

/// <summary>The configured keys by hash.</summary>
internal sealed class ApiKeyStore(IOptions<ApiKeyOptions> options)
{
    private readonly Dictionary<string, ApiKeyEntry> _byHash = options.Value.Keys.ToDictionary(k => k.Sha256, StringComparer.Ordinal);

    // Looking up the hash, not the key, leaks nothing useful through timing: an attacker would
    // need a preimage of the stored hash to exploit it.
    public ApiKeyEntry? Find(string key) => _byHash.GetValueOrDefault(ApiKeyFormat.Hash(key));
}

internal sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string HeaderName = "X-API-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Find(presented) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var scopes = key.Scopes.Contains(ApiKeyFormat.Write) ? [ApiKeyFormat.Read, ApiKeyFormat.Write] : key.Scopes.Distinct();
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), .. scopes.Select(s => new Claim(ApiKeyAuthentication.ScopeClaim, s))], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var invalid = result.Failure is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = invalid ? "Bearer realm=\"StoreMonitoring\", error=\"invalid_token\"" : "Bearer realm=\"StoreMonitoring\"";
        await WriteProblemAsync(
            StatusCodes.Status401Unauthorized,
            invalid ? "Invalid API key" : "API key required",
            invalid ? "The API key is not valid." : $"Send an API key as 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().LastOrDefault(a => a.Policy is not null)?.Policy ?? ApiKeyFormat.Read;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Missing scope", $"The API key '{Context.User.Identity?.Name}' does not have the '{needed}' scope this endpoint needs.");
    }

    private async Task WriteProblemAsync(int status, string title, string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = { Status = status, Title = title, Detail = detail } });

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer ? bearer : null;
        }

        return request.Headers[HeaderName].ToString() is { Length: > 0 } header ? header.Trim() : null;
    }
}
