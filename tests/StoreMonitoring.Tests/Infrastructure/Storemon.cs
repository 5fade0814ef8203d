using System.Diagnostics;

namespace StoreMonitoring.Tests.Infrastructure;

/// <summary>Runs the real <c>storemon</c> executable in its own process, as a user would.</summary>
public static class Storemon
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Task<Result> RunAsync(TestDatabase db, string workingDirectory, params string[] args) =>
        RunAsync(db, workingDirectory, new Dictionary<string, string>(), args);

    /// <param name="environment">Variables set after the database's, e.g. TMPDIR to watch what a verb leaves behind.</param>
    public static Task<Result> RunAsync(TestDatabase db, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync(db.Settings().Select(s => new KeyValuePair<string, string>(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value!)).Concat(environment), workingDirectory, args);

    /// <summary>Runs with only these variables set on top of the inherited ones (no test database: the defaults).</summary>
    public static async Task<Result> RunAsync(IEnumerable<KeyValuePair<string, string>> environment, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "storemon"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
