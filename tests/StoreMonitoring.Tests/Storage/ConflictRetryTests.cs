using System.Data.Common;
using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Storage;

/// <summary>The one retry helper: its policies decide what runs again, and every retry is counted by policy and outcome.</summary>
public sealed class ConflictRetryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_duplicate_key_is_classified_as_that_alone_and_retried_and_counted(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var database = host.Services.GetRequiredService<StoreDatabase>();
        var retry = host.Services.GetRequiredService<ConflictRetry>();
        using var counted = new RetryCounter(host.Services.GetRequiredService<IMeterFactory>());
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO stores (store_key, store_id) VALUES (1, 'taken')");
        }

        var attempts = await retry.RunAsync(RetryPolicy.ReportTrigger, async attempt =>
        {
            await using var connection = await database.OpenAsync();
            // The first attempt takes a key another writer has; the second a free one.
            await connection.ExecuteAsync("INSERT INTO stores (store_key, store_id) VALUES (@key, @id)", new { key = attempt, id = $"store-{attempt}" });
            return attempt;
        });

        Assert.Equal(2, attempts);
        Assert.Equal([("report_trigger", "retried"), ("report_trigger", "succeeded")], counted.Measurements);

        var error = await Assert.ThrowsAnyAsync<DbException>(() => retry.RunAsync(RetryPolicy.ReportTrigger, async _ =>
        {
            await using var connection = await database.OpenAsync();
            await connection.ExecuteAsync("INSERT INTO stores (store_key, store_id) VALUES (1, 'again')");
        }));
        Assert.Equal(DbErrorKind.DuplicateKey, database.Dialect.Classify(error));
        Assert.False(database.Dialect.IsLockTimeout(error) || database.Dialect.IsWriteConflict(error) || database.Dialect.IsContention(error));
        Assert.Equal(
            [("report_trigger", "retried"), ("report_trigger", "succeeded"), ("report_trigger", "retried"), ("report_trigger", "retried"), ("report_trigger", "retried"), ("report_trigger", "retried"), ("report_trigger", "exhausted")],
            counted.Measurements);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_policy_runs_nothing_again_for_an_error_kind_it_does_not_name(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var database = host.Services.GetRequiredService<StoreDatabase>();
        var retry = host.Services.GetRequiredService<ConflictRetry>();
        using var counted = new RetryCounter(host.Services.GetRequiredService<IMeterFactory>());
        var calls = 0;

        await Assert.ThrowsAnyAsync<DbException>(() => retry.RunAsync(RetryPolicy.ReportSave, async _ =>
        {
            calls++;
            await using var connection = await database.OpenAsync();
            await connection.ExecuteAsync("INSERT INTO stores (store_key, store_id) VALUES (7, 'a'), (7, 'b')");
        }));

        Assert.Equal(1, calls);
        Assert.Empty(counted.Measurements);
    }

    [Fact]
    public void Pauses_are_jittered_within_the_policys_bounds_and_the_table_names_each_policy_once()
    {
        var random = new Random(7);
        var checkedPauses = 0;
        foreach (var policy in RetryPolicy.All)
        {
            for (var attempt = 1; attempt < policy.Attempts; attempt++)
            {
                var pause = policy.Pause(attempt, random);
                Assert.InRange(pause, policy.MaxPause == TimeSpan.Zero ? TimeSpan.Zero : policy.MinPause, policy.MaxPause);
                checkedPauses++;
            }

            Assert.True(policy.Retries(DbErrorKind.WriteConflict, policy.Attempts - 1));
            Assert.False(policy.Retries(DbErrorKind.WriteConflict, policy.Attempts));
            Assert.False(policy.Retries(DbErrorKind.Other, 1));
            Assert.False(policy.Retries(DbErrorKind.LockTimeout, policy.LockTimeoutAttempts));
        }

        Assert.Equal(RetryPolicy.All.Count, RetryPolicy.All.Select(p => p.Name).Distinct().Count());
        Assert.Equal(RetryPolicy.All.Sum(p => p.Attempts - 1), checkedPauses);
    }

    private sealed class RetryCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string, string)> _measurements = [];

        public RetryCounter(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                // Only this test's host: tests running alongside count their own.
                if (instrument.Name == "storemon.db.retries" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? policy = null, outcome = null;
                foreach (var tag in tags)
                {
                    policy = tag.Key == "policy" ? (string?)tag.Value : policy;
                    outcome = tag.Key == "outcome" ? (string?)tag.Value : outcome;
                }

                lock (_measurements)
                {
                    _measurements.Add((policy!, outcome!));
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<(string, string)> Measurements
        {
            get
            {
                lock (_measurements)
                {
                    return [.. _measurements];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
