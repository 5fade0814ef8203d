using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StoreMonitoring.Import;

namespace StoreMonitoring.Cli;

internal static class ImportCommand
{
    public static Command Create()
    {
        var directory = new Argument<string?>("dir")
        {
            Description = "Directory holding store_status.csv, menu_hours.csv and timezones.csv (default: StoreMonitoring:DataDirectory)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var allowShrink = new Option<bool>("--allow-shrink")
        {
            Description = "Apply an hours or time-zone snapshot even when it would remove most of the stored rows (otherwise refused as likely incomplete)",
        };
        var command = new Command("import", "Import the input CSV files into the database and print a summary.") { directory, allowShrink };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(ct => RunAsync(parse.GetValue(directory), ct, allowShrink: parse.GetValue(allowShrink)), cancellationToken));
        return command;
    }

    /// <param name="settings">Configuration overrides, see <see cref="CliHost.Build"/>.</param>
    internal static async Task<int> RunAsync(string? directory, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string?>>? settings = null, bool allowShrink = false)
    {
        using var host = CliHost.Build(settings: settings);
        await CliHost.PrepareDatabaseAsync(host.Services, cancellationToken);
        var importer = host.Services.GetRequiredService<DataImporter>();
        var source = Path.GetFullPath(directory ?? host.Services.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value.DataDirectory);
        var line = new ProgressLine(TimeProvider.System);
        ImportSummary summary;
        try
        {
            summary = await importer.ImportAsync(
                source,
                allowShrink,
                new SynchronousProgress<ImportProgress>(p => line.Show($"{p.File}: {p.RowsRead:N0} rows ({p.Fraction:P0})")),
                cancellationToken);
        }
        catch (InputFilesNotFoundException ex)
        {
            await Console.Error.WriteLineAsync($"storemon: {ex.Message}");
            return 1;
        }
        catch (ImportStorageFullException ex)
        {
            await Console.Error.WriteLineAsync($"storemon: {ex.Message}");
            return 1;
        }
        catch (ImportInProgressException ex)
        {
            await Console.Error.WriteLineAsync($"storemon: {ex.Message}");
            return 3;
        }
        finally
        {
            line.Done();
        }

        Console.WriteLine($"Imported from {summary.Directory} in {(summary.FinishedAt - summary.StartedAt).TotalSeconds:F1} s");
        Console.WriteLine($"{"file",-40} {"read",12} {"imported",12} {"unchanged",12} {"rejected",10} {"conflicts",10} {"ms",8}");
        foreach (var file in summary.Files)
        {
            Console.WriteLine($"{file.File,-40} {file.RowsRead,12:N0} {file.Imported,12:N0} {file.Unchanged,12:N0} {file.Rejected,10:N0} {file.Conflicts,10:N0} {file.DurationMs,8:N0}");
            if (file.Skipped is { } skipped)
            {
                Console.WriteLine($"    skipped: {skipped}");
            }
            else if (file.Replaced is { } replaced)
            {
                Console.WriteLine($"    replaced {replaced:N0} stored rows; {file.Removed ?? 0:N0} stores no longer have any");
            }

            foreach (var example in file.RejectedExamples.Concat(file.ConflictExamples).Take(5))
            {
                Console.WriteLine($"    line {example.Line}: {example.Reason}");
            }
        }

        foreach (var ignored in summary.IgnoredFiles ?? [])
        {
            Console.WriteLine($"{ignored.File,-40} ignored: {ignored.UsedInstead} used ({ignored.Reason})");
        }

        foreach (var missing in summary.MissingFiles)
        {
            Console.WriteLine($"{missing,-40} missing");
        }

        foreach (var failed in summary.Files.Where(f => !f.Succeeded))
        {
            await Console.Error.WriteLineAsync($"storemon: {failed.Error}");
        }

        return summary.Succeeded ? 0 : 1;
    }
}

/// <summary>Reports on the calling thread: <see cref="Progress{T}"/> would post to the thread pool and reorder lines.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
