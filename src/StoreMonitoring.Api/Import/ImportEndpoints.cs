using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StoreMonitoring.Api.Operations;
using StoreMonitoring.Import;

namespace StoreMonitoring.Api.Import;

internal static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImport(this IEndpointRouteBuilder app, bool allowGet)
    {
        // GET is kept because the original service's users call it, but only while the service runs
        // open: with keys, a write is a POST with a write key (a GET can be triggered by a link).
        app.MapMethods("/import_data", allowGet ? [HttpMethods.Get, HttpMethods.Post] : [HttpMethods.Post], ImportData)
            .RequireAuthorization(Security.Scopes.Write).WithBodyLimit(BodyLimit.Tiny)
            .WithTags("Import")
            .WithName("ImportData")
            .WithSummary("Imports the three input files from the data directory.")
            .WithDescription("200 with a summary per file and the files ignored in favour of another; 404 when no input file is there; 409 while another import runs; 422 when a file is refused as a whole (the other files are still imported), including a snapshot that would remove most of the stored rows unless allow_shrink=true; 507 when the database has no space left (the files committed before are named).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        if (!allowGet)
        {
            app.MapGet("/import_data", MethodNotAllowed).AllowAnonymous().ExcludeFromDescription();
        }

        return app;
    }

    private static ProblemHttpResult MethodNotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = HttpMethods.Post;
        return TypedResults.Problem("Importing changes data: use POST /import_data with a write key.", statusCode: StatusCodes.Status405MethodNotAllowed, title: "Use POST");
    }

    private static async Task<Results<Ok<ImportResponse>, ProblemHttpResult, ValidationProblem>> ImportData(
        DataImporter importer, IOptions<StoreMonitoringOptions> options, string? allow_shrink)
    {
        var query = new ApiQuery();
        var allowShrink = query.Bool(allow_shrink, "allow_shrink") ?? false;
        if (!query.IsValid)
        {
            return query.Problem("Invalid import request");
        }

        var directory = options.Value.DataDirectory;
        ImportSummary summary;
        try
        {
            // The import finishes even if the caller goes away: half an import helps nobody.
            summary = await importer.ImportAsync(directory, allowShrink, cancellationToken: CancellationToken.None);
        }
        catch (ImportStorageFullException ex)
        {
            return TypedResults.Problem(
                ex.Message, statusCode: StatusCodes.Status507InsufficientStorage, title: "Insufficient storage",
                extensions: new Dictionary<string, object?> { ["file"] = ex.File, ["committed_files"] = ex.Committed });
        }
        catch (InputFilesNotFoundException ex)
        {
            return TypedResults.Problem(ex.Message.Replace(ex.Directory, Shown(ex.Directory), StringComparison.Ordinal), statusCode: StatusCodes.Status404NotFound, title: "No input files");
        }
        catch (OperationCanceledException)
        {
            // Only a lost import lease cancels an import started here (the caller's token is not passed).
            return TypedResults.Problem("The import lost its lock to another import and was rolled back.", statusCode: StatusCodes.Status409Conflict, title: "Import already running");
        }
        catch (ImportInProgressException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Import already running");
        }

        var response = ImportResponse.From(summary);
        if (!summary.Succeeded)
        {
            var errors = summary.Files.Where(f => !f.Succeeded).Select(f => f.Error!).ToArray();
            return TypedResults.Problem(
                string.Join("; ", errors),
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Some input files could not be imported",
                extensions: new Dictionary<string, object?> { ["errors"] = errors, ["files"] = response.Files, ["missing_files"] = response.MissingFiles, ["ignored_files"] = response.IgnoredFiles });
        }

        return TypedResults.Ok(response);
    }

    /// <summary>Only the data directory's own name: the absolute path tells a caller about the server's disk.</summary>
    internal static string Shown(string directory) => Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));

    /// <param name="IgnoredFiles">Files that could have been an input of a kind that another file was used for: which one, and why.</param>
    internal sealed record ImportResponse(
        string Message, string Directory, long DurationMs, IReadOnlyDictionary<string, FileResponse> Files, IReadOnlyList<string> MissingFiles, IReadOnlyList<IgnoredFile> IgnoredFiles)
    {
        public static ImportResponse From(ImportSummary summary) => new(
            "Data import finished",
            Shown(summary.Directory),
            summary.DurationMs,
            summary.Files.ToDictionary(f => f.File, FileResponse.From),
            summary.MissingFiles,
            summary.IgnoredFiles ?? []);
    }

    /// <param name="Replaced">Snapshots (hours, time zones): stored rows the file replaced.</param>
    /// <param name="Removed">Snapshots: stores that had rows before and have none now.</param>
    /// <param name="Skipped">Snapshots: why the file was not applied (it is the very file applied last; its rows count as unchanged).</param>
    internal sealed record FileResponse(
        InputKind Kind, long RowsRead, long Imported, long Unchanged, long Rejected, long Conflicts, long DurationMs,
        IReadOnlyList<RejectedRow> RejectedExamples, IReadOnlyList<RejectedRow> ConflictExamples, long? Replaced, long? Removed, string? Error, string? Skipped)
    {
        public static FileResponse From(FileImportSummary f) =>
            new(f.Kind, f.RowsRead, f.Imported, f.Unchanged, f.Rejected, f.Conflicts, f.DurationMs, f.RejectedExamples, f.ConflictExamples, f.Replaced, f.Removed, f.Error, f.Skipped);
    }
}
