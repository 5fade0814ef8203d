using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Api.Home;

internal static partial class HomeEndpoints
{
    public static IEndpointRouteBuilder MapHome(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Service").AllowAnonymous();

        // HEAD as well as GET: load balancers and uptime checkers probe with either (the server sends no body for HEAD).
        string[] probe = [HttpMethods.Get, HttpMethods.Head];
        group.MapMethods("/", probe, () => TypedResults.Ok(new Welcome("Welcome to Store Monitoring API", "/docs", "/openapi/v1.json")))
            .WithName("Welcome")
            .WithSummary("Greets the caller and points at the documentation.");

        group.MapMethods("/health", probe, async Task<Results<Ok<Health>, ProblemHttpResult>> (StoreDatabase database, CancellationToken cancellationToken) =>
        {
            try
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
                return TypedResults.Ok(new Health("healthy", database.Dialect.Name));
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                // Driver messages name hosts, users and paths: the log keeps them, the caller gets the trace id.
                LogUnreachable(app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HomeEndpoints)), ex);
                return TypedResults.Problem("The database is not reachable (see the service log).", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        })
            .WithName("Health")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Answers 200 when the database answers.");

        return app;
    }

    [LoggerMessage(5002, LogLevel.Warning, "Health: the database is not reachable")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);

    internal sealed record Welcome(string Message, string Docs, string Openapi);

    internal sealed record Health(string Status, string Database);
}
