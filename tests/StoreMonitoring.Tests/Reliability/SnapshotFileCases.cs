using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>
/// Bad business-hours and time-zone files. Both are snapshots: a file that is broken, or has no
/// valid row, must leave the stored snapshot as it was.
/// </summary>
internal static class SnapshotFileCases
{
    public static IEnumerable<BadInputCase> All()
    {
        foreach (var kind in new[] { Kind.Hours, Kind.Zones })
        {
            yield return Structural(kind, "bad header", c => c.Write(kind.File, Lines("a,b,c,d", kind.Good(0))), ["bad header", "store_id"]);
            yield return Structural(kind, "duplicate column", c => c.Write(kind.File, Lines(kind.Header + ",store_id", kind.Good(0) + ",x")), ["duplicate column", "store_id"]);
            yield return Structural(
                kind,
                "unterminated quote on line 2 then 1,000 good rows",
                c => c.Write(kind.File, Lines(kind.Header, ["\"" + kind.Good(0), .. Enumerable.Range(0, 1000).Select(i => kind.Good(i % 3))])),
                ["unterminated quote"],
                line: 2);
            yield return Structural(
                kind,
                "a row over 1 MiB",
                c => c.Write(kind.File, Lines(kind.Header, kind.Good(0), new string('x', (1 << 20) + 16) + kind.Good(1), kind.Good(2))),
                ["longer than"],
                line: 3,
                notInBody: [new string('x', 1000)]);
            yield return Structural(
                kind,
                "invalid UTF-8 in a store id",
                c => c.Write(kind.File, Bytes(Lines(kind.Header, kind.Good(0)), new byte[] { 0xFF }, kind.Good(1) + "\n")),
                ["not valid UTF-8"],
                line: 3);
            yield return Structural(
                kind,
                "a symlink to a file outside the data directory",
                c =>
                {
                    var target = Path.Combine(c.OutsideDirectory, "elsewhere.csv");
                    File.WriteAllText(target, Lines(kind.Header, kind.Good(0).Replace(Id(0), Secret, StringComparison.Ordinal)));
                    File.CreateSymbolicLink(Path.Combine(c.DataDirectory, kind.File), target);
                },
                ["not a regular file"],
                notInBody: [Secret]);
            yield return Structural(kind, "header only", c => c.Write(kind.File, Lines(kind.Header)), ["no valid row"]);
            yield return Structural(kind, "every row invalid", c => c.Write(kind.File, Lines(kind.Header, kind.Bad, kind.Bad)), ["no valid row"]);
        }

        yield return HoursRow("day 9", $"{Id(1)},9,09:00:00,17:00:00", "day '9'");
        yield return HoursRow("day -1", $"{Id(1)},-1,09:00:00,17:00:00", "day '-1'");
        yield return HoursRow("day Monday", $"{Id(1)},Monday,09:00:00,17:00:00", "day 'Monday'");
        yield return HoursRow("start 9:00 AM", $"{Id(1)},2,9:00 AM,17:00:00", "start_time_local");
        yield return HoursRow("end 25:00", $"{Id(1)},2,09:00:00,25:00", "end_time_local");
        yield return HoursRow("end 12:60", $"{Id(1)},2,09:00:00,12:60", "end_time_local");
        yield return HoursRow("empty start", $"{Id(1)},2,,17:00:00", "start_time_local");
        yield return HoursRow("too few columns", $"{Id(1)},2,09:00:00", "column");
        yield return HoursRow("empty store id", ",2,09:00:00,17:00:00", "empty store_id");
        yield return HoursRow("control character in a store id", "st\u0001re,2,09:00:00,17:00:00", "control character");
        yield return new BadInputCase
        {
            Name = "hours row accepted: 24:00",
            Request = "POST /import_data?allow_shrink=true",
            Files = c => c.Write(HoursFile, Lines(HoursHeader, GoodHours(1, 0), GoodHours(1, 1), $"{Id(1)},2,18:00:00,24:00")),
            Status = 200,
            Counts = b => b with { BusinessHours = 3 },
            Check = Summary(HoursFile, imported: 3),
        };

        yield return ZonesRow("unknown zone", $"{Id(3)},Mars/Olympus_Mons", "unknown timezone");
        yield return ZonesRow("UTC offset as a zone", $"{Id(3)},UTC+5", "unknown timezone");
        yield return ZonesRow("empty zone", $"{Id(3)},", "timezone_str");
        yield return ZonesRow("too many columns", $"{Id(3)},America/Chicago,x", "column");
        yield return ZonesRow("store id of 256 characters", $"{new string('z', 256)},America/Chicago", "longer than 255");
        yield return ZonesRow("NUL in a store id", "st\0re,America/Chicago", "control character");
    }

    /// <summary>
    /// A bad row on line 4 after two good ones: the snapshot becomes the two good rows. That drops
    /// two of the three seeded stores' hours, most of the stored rows, so the request says it means it.
    /// </summary>
    private static BadInputCase HoursRow(string name, string bad, string reason) => new()
    {
        Name = $"hours row: {name}",
        Request = "POST /import_data?allow_shrink=true",
        Files = c => c.Write(HoursFile, Lines(HoursHeader, GoodHours(1, 0), GoodHours(1, 1), bad)),
        Status = 200,
        Counts = b => b with { BusinessHours = 2 },
        Check = Summary(HoursFile, imported: 2, rejected: 1, line: 4, reason: reason),
    };

    private static BadInputCase ZonesRow(string name, string bad, string reason) => new()
    {
        Name = $"timezones row: {name}",
        Files = c => c.Write(ZonesFile, Lines(ZonesHeader, GoodZone(0), GoodZone(1), bad)),
        Status = 200,
        Counts = b => b with { Timezones = 2 },
        Check = Summary(ZonesFile, imported: 2, rejected: 1, line: 4, reason: reason),
    };

    /// <summary>The broken snapshot is refused (422) and the stored one kept; a good file of the other kind beside it still imports.</summary>
    private static BadInputCase Structural(Kind kind, string name, Action<CaseContext> write, string[] fragments, int? line = null, string[]? notInBody = null) => new()
    {
        Name = $"{kind.Label}: {name}",
        Files = c =>
        {
            write(c);
            kind.WriteOther(c);
        },
        Status = 422,
        Fragments = [kind.File, .. fragments],
        Line = line,
        NotInBody = notInBody ?? [],
        Counts = kind.OtherCounts,
        Check = (_, body) =>
        {
            Assert.Equal(kind.OtherImported, Number(FileSummary(body, kind.OtherFile), "imported"));
            Assert.Equal("Some input files could not be imported", body.GetProperty("title").GetString());
            return Task.CompletedTask;
        },
    };

    private sealed record Kind(
        string Label, string File, string Header, Func<int, string> Good, string Bad,
        string OtherFile, long OtherImported, Action<CaseContext> WriteOther, Func<TableCounts, TableCounts> OtherCounts)
    {
        public static readonly Kind Hours = new(
            "hours", HoursFile, HoursHeader, s => GoodHours(s, 3), $"{Id(1)},8,09:00:00,17:00:00",
            ZonesFile, 3, GoodZonesBeside, b => b with { Timezones = 3 });

        public static readonly Kind Zones = new(
            "timezones", ZonesFile, ZonesHeader, GoodZone, $"{Id(1)},Mars/Olympus_Mons",
            HoursFile, 5, GoodHoursBeside, b => b with { BusinessHours = 5 });
    }
}
