using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace StoreMonitoring.Cli;

/// <summary>The first thing wrong with a command line, said the way a person would say it.</summary>
internal static partial class UsageErrors
{
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var path = CommandPath(parse.CommandResult);
        // An unknown word where a command was expected: say so first, with the nearest command.
        if (command.Subcommands.Count > 0 && parse.UnmatchedTokens is [var unknown, ..] && !unknown.StartsWith('-'))
        {
            var nearest = command.Subcommands.Select(c => c.Name).MinBy(name => Distance(name, unknown));
            var hint = nearest is not null && Distance(nearest, unknown) <= Math.Max(2, unknown.Length / 2) ? $" Did you mean '{path}{nearest}'?" : "";
            return $"unknown command '{unknown}'.{hint} '{path}--help' lists the commands.";
        }

        var error = parse.Errors[0];
        if (TypeFailure().Match(error.Message) is { Success: true } m)
        {
            return $"{m.Groups["option"].Value} '{m.Groups["value"].Value}' is not {Kind(m.Groups["type"].Value)}.";
        }

        if (command.Subcommands.Count > 0 && parse.UnmatchedTokens.Count == 0 && error.Message.StartsWith("Required command", StringComparison.Ordinal))
        {
            return $"'{path.TrimEnd()}' needs a command: {string.Join(", ", command.Subcommands.Select(c => c.Name))}. '{path}--help' says more.";
        }

        if (error.Message.StartsWith("Required argument missing", StringComparison.Ordinal))
        {
            return $"'{path.TrimEnd()}' needs {string.Join(" ", command.Arguments.Select(a => $"<{a.Name}>"))}. '{path}--help' says more.";
        }

        if (parse.UnmatchedTokens is [var option, ..] && option.StartsWith('-'))
        {
            return $"unknown option '{option}' for '{path.TrimEnd()}'. '{path}--help' lists the options.";
        }

        var message = error.Message.TrimEnd('.');
        return $"{message}. '{path}--help' lists the options.";
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
        {
            names.Add(c.Command is RootCommand ? "storemon" : c.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names) + " ";
    }

    private static string Kind(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.Int16" or "System.Nullable`1[System.Int32]" => "a whole number",
        "System.Double" or "System.Decimal" => "a number",
        "System.Boolean" => "true or false",
        _ => "a valid value",
    };

    /// <summary>Levenshtein distance, case-insensitive.</summary>
    internal static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"Cannot parse argument '(?<value>.*)' for (?:option|argument) '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex TypeFailure();
}
