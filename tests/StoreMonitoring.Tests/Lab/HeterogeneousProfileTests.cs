using StoreMonitoring.Lab.Generation;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Lab;

/// <summary>The heterogeneous profile makes the stores a per-store model is for, deterministically.</summary>
public sealed class HeterogeneousProfileTests
{
    private static readonly string[] Files = ["store_status.csv", "menu_hours.csv", "timezones.csv", "truth.csv", "profiles.csv"];

    private static string Generate(ulong seed, GeneratorProfile profile, int stores = 300)
    {
        var directory = GeneratedFiles.TempDirectory();
        DataGenerator.Generate(new GeneratorOptions(stores, 21, seed, Profile: profile), directory);
        return directory;
    }

    private static Dictionary<string, string[]> Profiles(string directory) =>
        File.ReadLines(Path.Combine(directory, DataGenerator.ProfilesFileName)).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], StringComparer.Ordinal);

    [Fact]
    public void The_same_seed_writes_the_same_bytes_and_the_profile_changes_them()
    {
        var first = Generate(4, GeneratorProfile.Heterogeneous, 60);
        var second = Generate(4, GeneratorProfile.Heterogeneous, 60);
        var standard = Generate(4, GeneratorProfile.Standard, 60);
        foreach (var file in Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
        }

        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, "store_status.csv")), File.ReadAllBytes(Path.Combine(standard, "store_status.csv")));
    }

    [Fact]
    public void It_makes_flappy_sticky_weekly_and_memoryless_stores_with_their_own_poll_intervals_and_shared_collector_outages()
    {
        var directory = Generate(7, GeneratorProfile.Heterogeneous);
        var profiles = Profiles(directory);
        var kinds = profiles.Values.Where(p => p[1] == "1").Select(p => p[4]).ToHashSet();
        Assert.Superset(new HashSet<string> { "Flappy", "Sticky", "Weekly", "Memoryless", "Normal" }, kinds);

        var status = GeneratedFiles.Status(directory);
        var byStore = status.GroupBy(s => s.Store).ToDictionary(g => g.Key, g => g.Select(s => s.At).Order().ToArray());
        var states = status.GroupBy(s => s.Store).ToDictionary(g => g.Key, g => g.OrderBy(s => s.At).Select(s => s.Active).ToList());

        // "Hourly" stores poll at a period of their own, from 50 minutes to 3 hours.
        var periods = byStore.Where(s => profiles[s.Key][7] == "Hourly" && s.Value.Length > 20)
            .Select(s => s.Value.Zip(s.Value.Skip(1), (a, b) => b - a).Order().ElementAt(s.Value.Length / 4) / (double)UnixMicros.PerMinute).ToList();
        Assert.Contains(periods, p => p < 65);
        Assert.Contains(periods, p => p > 120);

        // Collector outages: some hour has fewer than half the polls of a typical hour, across many stores at once.
        var perHour = status.GroupBy(s => s.At / UnixMicros.PerHour).Select(g => g.Count()).Order().ToList();
        var typical = perHour[perHour.Count / 2];
        Assert.Contains(perHour.Take(perHour.Count - 2), n => n < typical / 2);

        // Flappy stores switch more than twice as often as sticky ones, as their polls show (stores
        // switched off while closed add switches to both kinds).
        double Switches(string kind) => states.Where(s => profiles[s.Key][4] == kind).Average(s =>
            s.Value.Zip(s.Value.Skip(1), (a, b) => a != b ? 1.0 : 0).Sum() / s.Value.Count);
        Assert.True(Switches("Flappy") > 2 * Switches("Sticky"), $"flappy {Switches("Flappy")}, sticky {Switches("Sticky")}");
    }
}
