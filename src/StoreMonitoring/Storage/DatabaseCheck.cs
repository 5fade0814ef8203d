using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace StoreMonitoring.Storage;

/// <summary>
/// A database that cannot be used, found at start-up: the message names the database (a SQLite
/// file's path, a server's host and port, never a password) and what to do.
/// </summary>
public sealed class DatabaseUnusableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Opens the configured database once before anything else runs, and writes to it (the migration
/// lock) when it migrates, so that a missing directory, a read-only file or a server that does not
/// answer ends start-up with one clear sentence instead of a stack trace from the first request.
/// </summary>
public static class DatabaseCheck
{
    public static async Task CheckAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<StoreMonitoringOptions>>().Value;
        if (!options.Database.CheckOnStart)
        {
            return;
        }

        var where = Describe(options.Database);
        StoreDatabase database;
        try
        {
            database = services.GetRequiredService<StoreDatabase>();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The data source creates the file's directory; here it could not.
            var cause = ex is DirectoryNotFoundException or IOException { HResult: 20 or -2147024893 }
                ? "its directory does not exist and cannot be created"
                : ex is UnauthorizedAccessException ? "permission denied on its directory" : ex.Message;
            throw new DatabaseUnusableException($"the database {where} cannot be created: {cause}. Fix it or point ConnectionStrings:StoreMonitoring at another file.", ex);
        }

        try
        {
            await services.GetRequiredService<Migrator>().MigrateIfConfiguredAsync(cancellationToken);
            await using var connection = await database.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
        }
        catch (SqliteException ex)
        {
            var cause = ex.SqliteErrorCode switch
            {
                8 => "it is read-only (the file, its directory or Mode=ReadOnly)",
                14 => "it cannot be opened (a missing directory, or no permission on the file or its directory)",
                23 => "permission denied",
                26 => "it is not a SQLite database",
                _ => ex.Message,
            };
            throw new DatabaseUnusableException($"the database {where} cannot be used: {cause}. Fix it or point ConnectionStrings:StoreMonitoring at another file.", ex);
        }
        catch (DbException ex)
        {
            var cause = ex.Message.TrimEnd('.');
            throw new DatabaseUnusableException($"the database {where} cannot be used: {cause}. Start it, or fix ConnectionStrings:StoreMonitoring (and StoreMonitoring:Database:Provider).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatabaseUnusableException($"the database {where} cannot be used: {ex.Message}", ex);
        }
    }

    /// <summary>The file's full path, or the server's host, port and database, never the credentials.</summary>
    public static string Describe(DatabaseOptions options)
    {
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(options.ConnectionString ?? "").DataSource;
            return $"'{file}'";
        }

        try
        {
            var builder = new MySqlConnector.MySqlConnectionStringBuilder(options.ConnectionString ?? "");
            return $"at {builder.Server}:{builder.Port} (database '{builder.Database}')";
        }
        catch (ArgumentException)
        {
            return "(ConnectionStrings:StoreMonitoring)";
        }
    }
}
