using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using StoreMonitoring.Import;
using StoreMonitoring.Storage;
using StoreMonitoring.Stores;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api.Debug;

/// <summary>What the data looks like: counts, coverage, ranges, samples and the last import's problems.</summary>
internal static class DebugEndpoints
{
    public static IEndpointRouteBuilder MapDebugData(this IEndpointRouteBuilder app)
    {
        app.MapGet("/debug_data", GetDebugData)
            .WithTags("Import")
            .WithName("DebugData")
            .WithSummary("Describes the imported data and its quality issues.");
        return app;
    }

    private static async Task<Ok<DebugData>> GetDebugData(StoreDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var counts = await connection.QuerySingleAsync<TableCounts>(new CommandDefinition(DebugSql.Counts, cancellationToken: cancellationToken));
        var stores = await connection.QuerySingleAsync<StoreCounts>(new CommandDefinition(DebugSql.Stores, cancellationToken: cancellationToken));
        var distribution = await connection.QuerySingleAsync<Distribution>(new CommandDefinition(DebugSql.Distribution, cancellationToken: cancellationToken));
        var statusSamples = (await connection.QueryAsync<(string StoreId, long Active, long ObservedAtUs)>(new CommandDefinition(DebugSql.StatusSamples, cancellationToken: cancellationToken)))
            .Select(r => new StatusSample(r.StoreId, r.Active == 1 ? "active" : "inactive", UnixMicros.Format(r.ObservedAtUs))).ToList();
        var hoursSamples = (await connection.QueryAsync<HoursSample>(new CommandDefinition(DebugSql.HoursSamples, cancellationToken: cancellationToken))).ToList();
        var zoneSamples = (await connection.QueryAsync<ZoneSample>(new CommandDefinition(DebugSql.ZoneSamples, cancellationToken: cancellationToken))).ToList();
        var lastImport = await ImportRuns.LastAsync(database, cancellationToken);

        var issues = new List<string>();
        if (counts.StoreStatus == 0)
        {
            issues.Add("No status observations: run POST /import_data or `storemon import`.");
        }

        if (stores.WithStatus > stores.StatusWithHours)
        {
            issues.Add($"{stores.WithStatus - stores.StatusWithHours} stores with observations have no business hours and count as open 24x7.");
        }

        if (stores.WithStatus > stores.StatusWithTimezone)
        {
            issues.Add($"{stores.WithStatus - stores.StatusWithTimezone} stores with observations have no (known) timezone and use {BusinessHours.DefaultZoneId}.");
        }

        foreach (var file in lastImport?.Files ?? [])
        {
            if (file.Error is not null)
            {
                issues.Add($"Last import: {file.Error}");
            }

            if (file.Rejected > 0)
            {
                issues.Add($"Last import: {file.Rejected} rows of {file.File} were rejected.");
            }

            if (file.Conflicts > 0)
            {
                issues.Add($"Last import: {file.Conflicts} rows of {file.File} conflicted with accepted ones (the first accepted wins).");
            }
        }

        issues.AddRange((lastImport?.MissingFiles ?? []).Select(m => $"Last import: {m} was missing."));

        return TypedResults.Ok(new DebugData(
            lastImport is null ? "never imported" : lastImport.Succeeded ? "imported" : "imported with errors",
            LastImports.From(lastImport),
            issues,
            counts,
            new DistinctStores(stores.WithStatus, stores.WithHours, stores.WithTimezone, counts.Stores),
            new CoverageOf(Coverage.From(stores.StatusWithHours, stores.WithStatus), Coverage.From(stores.StatusWithTimezone, stores.WithStatus)),
            new StatusDistribution(distribution.Active, distribution.Inactive, Coverage.PercentOf(distribution.Active, distribution.Active + distribution.Inactive)),
            new TimeRangeOf(distribution.Earliest is { } e ? UnixMicros.Format(e) : null, distribution.Latest is { } l ? UnixMicros.Format(l) : null),
            new Samples(statusSamples, hoursSamples, zoneSamples),
            LastImports.Rejected(lastImport)));
    }
}
