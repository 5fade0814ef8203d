namespace StoreMonitoring.Tests.Infrastructure;

/// <summary>
/// One line per run for an engine whose cases were not generated, instead of a skip per test
/// (<see cref="TestDatabase.Engines"/>).
/// </summary>
public sealed class EngineAvailabilityTests
{
    [Fact]
    public void MariaDB()
    {
        Assert.SkipUnless(TestDatabase.MariaDbRequested,
            $"MariaDB tests not run: set {TestDatabase.MySqlVariable} (`bash .ci/mariadb.sh start` prints it).");
    }
}
