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

    [Fact]
    public void GaleraCluster()
    {
        Assert.SkipUnless(StoreMonitoring.Tests.Galera.GaleraCluster.Requested,
            $"Galera tests not run: set {StoreMonitoring.Tests.Galera.GaleraCluster.Variable} (`bash .ci/galera.sh start` prints its three lines).");
    }
}
