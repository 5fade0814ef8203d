using Microsoft.Extensions.Options;
using StoreMonitoring.Security;

namespace StoreMonitoring.Api.Security;

/// <summary>The authorization policies, one per key scope.</summary>
internal static class Scopes
{
    public const string Read = ApiKeyFormat.Read;
    public const string Write = ApiKeyFormat.Write;
}

/// <summary>The <c>StoreMonitoring:Auth</c> section.</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "StoreMonitoring:Auth";

    /// <summary><c>Keys</c> (the default): requests need a configured key. <c>None</c>: the service runs open, on purpose.</summary>
    public string Mode { get; set; } = "Keys";

    public List<ApiKeyEntry> Keys { get; set; } = [];
}

public sealed class ApiKeyEntry
{
    /// <summary>Who holds the key; appears in logs and rate-limit partitions, never the key itself.</summary>
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the key, as <c>storemon apikey create</c> prints it.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary><c>read</c> and/or <c>write</c>; write implies read.</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>Whether this process checks keys, decided once at start-up from the options and the environment.</summary>
internal sealed class ApiAccess(bool keysRequired)
{
    public bool KeysRequired { get; } = keysRequired;

    public static ApiAccess From(ApiKeyOptions options) =>
        new(string.Equals(options.Mode, "Keys", StringComparison.OrdinalIgnoreCase) && options.Keys.Count > 0);
}

/// <summary>
/// Refuses to start with keys that cannot work, and refuses to start open outside Development unless
/// <c>Auth:Mode=None</c> says so: a forgotten key must not silently expose the service.
/// </summary>
internal sealed class ApiKeyOptionsValidator(IHostEnvironment environment) : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var failures = new List<string>();
        var open = string.Equals(options.Mode, "None", StringComparison.OrdinalIgnoreCase);
        if (!open && !string.Equals(options.Mode, "Keys", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{ApiKeyOptions.Section}:Mode '{options.Mode}' is not a mode: use 'Keys' or 'None'.");
        }

        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            var at = $"{ApiKeyOptions.Section}:Keys:{i}";
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                failures.Add($"{at}:Name is required.");
            }

            if (!ApiKeyFormat.IsHash(key.Sha256))
            {
                failures.Add($"{at}:Sha256 must be the 64-character lower-case hex SHA-256 of the key (`storemon apikey create` prints it).");
            }

            if (key.Scopes.Count == 0 || key.Scopes.Any(s => !ApiKeyFormat.IsScope(s)))
            {
                failures.Add($"{at}:Scopes must list 'read' and/or 'write' (found: {string.Join(", ", key.Scopes.Select(s => $"'{s}'"))}).");
            }
        }

        if (!open && options.Keys.Count == 0 && !environment.IsDevelopment())
        {
            failures.Add(
                $"No API keys are configured and the environment is {environment.EnvironmentName}: add one " +
                $"(`storemon apikey create --name ops --scope write` prints the lines), or set {ApiKeyOptions.Section}:Mode=None to run without authentication on purpose.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
