using System.Text.Json;
using StoreMonitoring.Tests.Infrastructure;
using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>
/// Snapshots that are clearly incomplete are not applied (a cut last line, a file that would
/// remove most of the stored rows), which file of several candidates is used is fixed and
/// reported, a folder named like an input is refused, and the very file applied last is skipped.
/// The seed: business hours for stores 1-3 (7 + 10 + 7 = 24 rows), time zones for stores 0-3.
/// </summary>
internal static class SnapshotGuardCases
{
    public static IEnumerable<BadInputCase> All()
    {
        yield return new BadInputCase
        {
            Name = "guard: hours file whose last line is cut off",
            Files = c => c.Write(HoursFile, Lines(HoursHeader, GoodHours(1, 0), GoodHours(2, 0), GoodHours(3, 0)) + $"{Id(3)},1,09:00:00"),
            Status = 422,
            Fragments = [HoursFile, "cut off", "truncated"],
            Line = 5,
        };
        yield return new BadInputCase
        {
            Name = "guard: time-zone file whose last line is cut off",
            Files = c => c.Write(ZonesFile, Lines(ZonesHeader, GoodZone(0), GoodZone(1), GoodZone(2)) + $"{Id(3)},America/New_Yo"),
            Status = 422,
            Fragments = [ZonesFile, "cut off"],
            Line = 5,
        };
        yield return new BadInputCase
        {
            Name = "guard: hours file without a final newline but a whole last line",
            Files = c => c.Write(HoursFile, Lines(HoursHeader, GoodHours(1, 0), GoodHours(2, 0), GoodHours(3, 0)) + GoodHours(3, 1)),
            Status = 200,
            Counts = b => b with { BusinessHours = 4 },
            Check = Summary(HoursFile, imported: 4),
        };
        yield return new BadInputCase
        {
            Name = "guard: a cut last line in a status file is only a rejected row",
            Files = c => c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1)) + $"{Id(2)},active,2024-10-15 00:0"),
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
            Check = Summary(StatusFile, imported: 1, rejected: 1, line: 3, reason: "timestamp"),
        };
        yield return new BadInputCase
        {
            Name = "guard: hours snapshot that would remove most stored rows",
            Files = c => c.Write(HoursFile, Lines(HoursHeader, GoodHours(1, 0))),
            Status = 422,
            Fragments = [HoursFile, "would remove 17 of the 24 stored rows", "allow_shrink=true"],
        };
        yield return new BadInputCase
        {
            Name = "guard: the same hours snapshot with allow_shrink=true",
            Request = "POST /import_data?allow_shrink=true",
            Files = c => c.Write(HoursFile, Lines(HoursHeader, GoodHours(1, 0))),
            Status = 200,
            Counts = b => b with { BusinessHours = 1 },
            Check = async (c, body) =>
            {
                await Summary(HoursFile, imported: 1)(c, body);
                Assert.Equal(2, Number(FileSummary(body, HoursFile), "removed"));
            },
        };
        yield return new BadInputCase
        {
            Name = "guard: time-zone snapshot that would remove 3 of 4 stores",
            Files = c =>
            {
                c.Write(ZonesFile, Lines(ZonesHeader, GoodZone(0)));
                GoodHoursBeside(c);
            },
            Status = 422,
            Fragments = [ZonesFile, "would remove 3 of the 4 stored rows"],
            Counts = b => b with { BusinessHours = 5 },
            Check = (_, body) =>
            {
                Assert.Equal(5, Number(FileSummary(body, HoursFile), "imported"));
                return Task.CompletedTask;
            },
        };
        yield return new BadInputCase
        {
            Name = "guard: allow_shrink that is not true or false",
            Request = "POST /import_data?allow_shrink=maybe",
            Files = c => c.Write(ZonesFile, Lines(ZonesHeader, GoodZone(0))),
            Status = 400,
            Fragments = ["allow_shrink", "true or false"],
        };
        yield return new BadInputCase
        {
            Name = "guard: a folder named menu_hours.csv",
            Files = c =>
            {
                Directory.CreateDirectory(Path.Combine(c.DataDirectory, HoursFile));
                GoodZonesBeside(c);
            },
            Status = 422,
            Fragments = [HoursFile, "not a regular file"],
            Counts = b => b with { Timezones = 3 },
        };
        yield return new BadInputCase
        {
            Name = "guard: a folder named store_status.csv",
            Files = c => Directory.CreateDirectory(Path.Combine(c.DataDirectory, StatusFile)),
            Status = 422,
            Fragments = [StatusFile, "not a regular file"],
        };
        yield return new BadInputCase
        {
            Name = "guard: menu_hours.csv beside the alias business_hours.csv",
            Files = c =>
            {
                GoodHoursBeside(c);
                c.Write("business_hours.csv", Lines(HoursHeader, GoodHours(3, 0)));
            },
            Status = 200,
            Counts = b => b with { BusinessHours = 5 },
            Check = async (c, body) =>
            {
                await Summary(HoursFile, imported: 5)(c, body);
                Ignored(body, "business_hours.csv", HoursFile);
            },
        };
        yield return new BadInputCase
        {
            Name = "guard: two dated time-zone exports, the newest is used",
            Files = c =>
            {
                c.Write("bq-results-20230125-202210-1674678181880.csv", Lines(ZonesHeader, GoodZone(0), GoodZone(1), GoodZone(2), GoodZone(3)));
                c.Write("bq-results-20240301-101010-1709287810000.csv", Lines(ZonesHeader, GoodZone(0), GoodZone(1), GoodZone(2)));
            },
            Status = 200,
            Counts = b => b with { Timezones = 3 },
            Check = async (c, body) =>
            {
                await Summary("bq-results-20240301-101010-1709287810000.csv", imported: 3)(c, body);
                Ignored(body, "bq-results-20230125-202210-1674678181880.csv", "bq-results-20240301-101010-1709287810000.csv");
            },
        };
        yield return new BadInputCase
        {
            Name = "guard: timezones.csv beside a dated export",
            Files = c =>
            {
                GoodZonesBeside(c);
                c.Write("bq-results-20240301-101010-1709287810000.csv", Lines(ZonesHeader, GoodZone(0)));
            },
            Status = 200,
            Counts = b => b with { Timezones = 3 },
            Check = async (c, body) =>
            {
                await Summary(ZonesFile, imported: 3)(c, body);
                Ignored(body, "bq-results-20240301-101010-1709287810000.csv", ZonesFile);
            },
        };
        yield return new BadInputCase
        {
            Name = "guard: the hours file applied last, again, is skipped",
            Files = c => InputData.WriteHours(Path.Combine(c.DataDirectory, HoursFile), CaseContext.SeedStores),
            Status = 200,
            Check = (_, body) => Skipped(body, HoursFile, rows: 24),
        };
        yield return new BadInputCase
        {
            Name = "guard: the same time zones under another accepted name are skipped",
            Files = c => InputData.WriteTimezones(Path.Combine(c.DataDirectory, "bq-results-20240301-101010-1709287810000.csv"), CaseContext.SeedStores),
            Status = 200,
            Check = (_, body) => Skipped(body, "bq-results-20240301-101010-1709287810000.csv", rows: 4),
        };
    }

    private static void Ignored(JsonElement body, string file, string usedInstead)
    {
        Assert.True(body.TryGetProperty("ignored_files", out var ignored), $"no ignored_files in {body}");
        Assert.Contains(ignored.EnumerateArray(), i => i.GetProperty("file").GetString() == file && i.GetProperty("used_instead").GetString() == usedInstead);
        Assert.False(FileSummary(body, usedInstead).TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String, $"{error}");
        Assert.False(body.GetProperty("files").TryGetProperty(file, out _), $"{file} was imported too: {body}");
    }

    private static Task Skipped(JsonElement body, string file, long rows)
    {
        var summary = FileSummary(body, file);
        Assert.Contains("identical to", summary.GetProperty("skipped").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, Number(summary, "imported"));
        Assert.Equal(rows, Number(summary, "unchanged"));
        Assert.Equal(0, Number(summary, "replaced"));
        return Task.CompletedTask;
    }
}
