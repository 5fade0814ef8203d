using System.CommandLine;
using System.Text.Json;
using StoreMonitoring.Security;

namespace StoreMonitoring.Cli;

/// <summary><c>storemon apikey create</c>: a new key, shown once, and the configuration that admits it.</summary>
internal static class ApiKeyCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Who holds the key (e.g. ops, dashboard); shown in logs", Required = true };
        var scope = new Option<string>("--scope") { Description = "read (reports, debug data, metrics) or write (also import and trigger)", DefaultValueFactory = _ => ApiKeyFormat.Read };
        var index = new Option<int>("--index") { Description = "The key's position N in StoreMonitoring:Auth:Keys (the next free one)", DefaultValueFactory = _ => 0 };
        var create = new Command("create", "Print a new random API key once, with the configuration lines that admit it (only its SHA-256 is stored).") { name, scope, index };
        create.SetAction(parse => Run(parse.GetValue(name)!, parse.GetValue(scope)!, parse.GetValue(index)));
        return new Command("apikey", "Manage API keys for the web service.") { create };
    }

    private static int Run(string name, string scope, int index)
    {
        if (string.IsNullOrWhiteSpace(name) || !ApiKeyFormat.IsScope(scope) || index < 0)
        {
            Console.Error.WriteLine($"storemon: --name must not be empty, --scope must be read or write (was '{scope}'), --index must be 0 or more.");
            return 2;
        }

        var key = ApiKeyFormat.Create();
        var hash = ApiKeyFormat.Hash(key);
        var prefix = $"StoreMonitoring__Auth__Keys__{index}__";
        var json = JsonSerializer.Serialize(new { StoreMonitoring = new { Auth = new { Keys = new[] { new { Name = name, Sha256 = hash, Scopes = new[] { scope } } } } } }, Indented);
        Console.Out.Write(
            $"""
            API key for '{name}' (scope {scope}). It is shown only now: give it to its holder, the service keeps only its hash.

              {key}

            Send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.

            Environment variables for the service (index {index}: use the next free one if keys exist):

            {prefix}Name={name}
            {prefix}Sha256={hash}
            {prefix}Scopes__0={scope}

            Or in appsettings.json (add to the Keys array):

            {json}

            """);
        return 0;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
