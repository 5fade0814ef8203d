using System.Runtime.CompilerServices;

namespace StoreMonitoring.Tests.Galera;

/// <summary>
/// A cluster test. Without a configured cluster (and outside CI) it is explicit, so an ordinary
/// local run does not list a skip per test; <see cref="Infrastructure.EngineAvailabilityTests"/>
/// says once that the cluster tests were not run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GaleraFactAttribute : FactAttribute
{
    public GaleraFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Explicit = !GaleraCluster.Requested;
    }
}
