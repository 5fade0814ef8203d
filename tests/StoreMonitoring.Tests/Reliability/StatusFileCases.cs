using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;
using static StoreMonitoring.Tests.Reliability.CaseFiles;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>Bad <c>store_status.csv</c> files: structural errors refuse the file, bad rows are skipped.</summary>
internal static class StatusFileCases
{
    /// <summary>The seed's poll of store 0 at its latest instant (2024-10-14 23:00:00 UTC).</summary>
    private static readonly DateTimeOffset SeededInstant = new(2024, 10, 14, 23, 0, 0, TimeSpan.Zero);

    public static IEnumerable<BadInputCase> All()
    {
        // Structural: nothing of the file is applied (422); the good time-zone snapshot beside it still imports.
        yield return Structural("bad header", c => c.Write(StatusFile, Lines("store,state,when", GoodPoll(1))), ["bad header", "store_id", "timestamp_utc"]);
        yield return Structural("empty file", c => c.Write(StatusFile, ""), ["bad header"]);
        yield return Structural("duplicate column", c => c.Write(StatusFile, Lines(StatusHeader + ",status", GoodPoll(1) + ",active")), ["duplicate column", "status"]);
        yield return Structural(
            "unterminated quote on line 2 then 1,000 good rows",
            c => c.Write(StatusFile, Lines(StatusHeader, [$"\"{Id(1)},active,2024-10-15 00:00:00 UTC", .. Enumerable.Range(0, 1000).Select(i => $"bulk-{i},active,2024-10-15 01:00:00 UTC")])),
            ["unterminated quote"],
            line: 2);
        yield return Structural(
            "a row over 1 MiB",
            c => c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1), $"{new string('x', (1 << 20) + 16)},active,2024-10-15 00:02:00 UTC", GoodPoll(3))),
            ["longer than"],
            line: 3,
            notInBody: [new string('x', 1000)]);
        yield return Structural(
            "invalid UTF-8 in a store id",
            c => c.Write(StatusFile, Bytes(Lines(StatusHeader, GoodPoll(1)), "bad", new byte[] { 0xFF, 0xFE }, "id,active,2024-10-15 00:02:00 UTC\n", GoodPoll(3) + "\n")),
            ["not valid UTF-8"],
            line: 3);
        yield return Structural(
            "invalid UTF-8 in a timestamp on line 5",
            c => c.Write(StatusFile, Bytes(Lines(StatusHeader, GoodPoll(1), GoodPoll(2), GoodPoll(3)), $"{Id(2)},active,2024-10-15 00:04:00 UTC", new byte[] { 0xC3, 0x28 }, "\n")),
            ["not valid UTF-8"],
            line: 5);
        yield return Structural(
            "a symlink to a file outside the data directory",
            c =>
            {
                var target = Path.Combine(c.OutsideDirectory, "elsewhere.csv");
                File.WriteAllText(target, Lines(StatusHeader, $"{Secret},active,2024-10-15 00:00:00 UTC"));
                File.CreateSymbolicLink(Path.Combine(c.DataDirectory, StatusFile), target);
            },
            ["not a regular file"],
            notInBody: [Secret]);
        yield return Structural(
            "a symlink to a file outside with another header",
            c =>
            {
                var target = Path.Combine(c.OutsideDirectory, "passwd.csv");
                File.WriteAllText(target, $"user,{Secret}-column\nroot,{Secret}-value\n");
                File.CreateSymbolicLink(Path.Combine(c.DataDirectory, StatusFile), target);
            },
            ["not a regular file"],
            notInBody: [Secret]);
        yield return Structural(
            "a named pipe",
            c =>
            {
                var path = Path.Combine(c.DataDirectory, StatusFile);
                MakeFifo(path);
                ReleaseFifoLater(c, path);
            },
            ["not a regular file"]);

        // Row-level: the row is skipped and counted, the file imports (200) with the good rows around it.
        yield return Row("unknown status", $"{Id(2)},maybe,2024-10-15 00:02:00 UTC", "unknown status");
        yield return Row("unparsable timestamp", $"{Id(2)},active,yesterday", "timestamp");
        yield return Row("too few columns", $"{Id(2)},active", "column");
        yield return Row("too many columns", $"{Id(2)},active,2024-10-15 00:02:00 UTC,extra", "column");
        yield return Row("empty store id", ",active,2024-10-15 00:02:00 UTC", "empty store_id");
        yield return Row("blank store id", "   ,active,2024-10-15 00:02:00 UTC", "empty store_id");
        yield return Row("store id of 256 characters", $"{new string('s', 256)},active,2024-10-15 00:02:00 UTC", "longer than 255");
        yield return Row("NUL in a store id", "st\0re,active,2024-10-15 00:02:00 UTC", "control character");
        yield return Row("SOH in a store id", "st\u0001re,active,2024-10-15 00:02:00 UTC", "control character");
        yield return Row("ESC in a store id", "st\u001bre,active,2024-10-15 00:02:00 UTC", "control character");
        yield return Row("tab in a store id", "st\tre,active,2024-10-15 00:02:00 UTC", "control character");
        yield return Row("LF inside a quoted store id", "\"st\nre\",active,2024-10-15 00:02:00 UTC", "control character");
        yield return Row("CR inside a quoted store id", "\"st\rre\",active,2024-10-15 00:02:00 UTC", "control character");
        yield return Row("timestamp 9999-12-31", $"{Id(2)},active,9999-12-31 23:59:59 UTC", "outside the accepted range");
        yield return Row("timestamp 1999-12-31", $"{Id(2)},active,1999-12-31 23:59:59 UTC", "outside the accepted range");
        yield return Row("timestamp 2100-01-01", $"{Id(2)},active,2100-01-01T00:00:00Z", "outside the accepted range");
        yield return Row("timestamp beyond the clock plus the skew", $"{Id(2)},active,2024-10-21T01:00:00Z", "outside the accepted range");
        yield return Accepted("a store id of 255 characters", $"{new string('s', 255)},active,2024-10-15 00:02:00 UTC");
        yield return Accepted("a timestamp ahead of the clock within the skew", $"{Id(2)},active,2024-10-20T12:00:00Z");
        yield return Accepted("a timestamp early in 2000", $"{Id(2)},active,2000-01-01T00:00:01Z");
        yield return new BadInputCase
        {
            Name = "status: 25 bad rows, 20 examples",
            Files = c => c.Write(StatusFile, Lines(StatusHeader, [GoodPoll(1), .. Enumerable.Range(0, 25).Select(i => $"{Id(2)},bogus{i},2024-10-15 00:02:00 UTC")])),
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
            Check = async (c, body) =>
            {
                await Summary(StatusFile, imported: 1, rejected: 25, line: 3, reason: "unknown status")(c, body);
                Assert.Equal(20, FileSummary(body, StatusFile).GetProperty("rejected_examples").GetArrayLength());
            },
        };

        // Duplicates: the first accepted poll wins; a conflict is counted, an exact repeat is unchanged.
        yield return new BadInputCase
        {
            Name = "status: conflicting duplicate within the file",
            Files = c => c.Write(StatusFile, Lines(StatusHeader, $"{Id(2)},active,2024-10-15 00:30:00 UTC", $"{Id(2)},inactive,2024-10-15 00:30:00 UTC", GoodPoll(1))),
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 2 },
            Check = async (c, body) =>
            {
                await Summary(StatusFile, imported: 2, conflicts: 1, conflictLine: 3)(c, body);
                Assert.True(await c.StoredPollAsync(Id(2), new DateTimeOffset(2024, 10, 15, 0, 30, 0, TimeSpan.Zero)));
            },
        };
        yield return Conflict("status: conflicting duplicate of a stored poll", "2024-10-14 23:00:00 UTC");
        yield return Conflict("status: conflicting duplicate of a stored poll, ISO notation", "2024-10-14T23:00:00.000000Z");
        yield return Conflict("status: conflicting duplicate of a stored poll, other offset", "2024-10-15T01:00:00+02:00");
        yield return ExactDuplicateOfStored("status: exact duplicate of a stored poll", "2024-10-14 23:00:00 UTC");
        yield return ExactDuplicateOfStored("status: exact duplicate of a stored poll, ISO notation", "2024-10-14T23:00:00Z");
        yield return new BadInputCase
        {
            Name = "status: exact duplicate within the file",
            Files = c => c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1), GoodPoll(1))),
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
            Check = Summary(StatusFile, imported: 1, unchanged: 1),
        };

        yield return new BadInputCase
        {
            Name = "import: every file summary has the contract's fields",
            Files = c =>
            {
                InputData.WriteAll(c.DataDirectory, CaseContext.SeedStores);
                c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1), $"{Id(2)},maybe,2024-10-15 00:02:00 UTC"));
            },
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
            Check = (_, body) =>
            {
                foreach (var file in new[] { StatusFile, HoursFile, ZonesFile })
                {
                    var summary = FileSummary(body, file);
                    string[] fields = ["kind", "rows_read", "imported", "unchanged", "rejected", "conflicts", "duration_ms", "rejected_examples", "conflict_examples"];
                    string[] snapshot = file == StatusFile ? [] : ["replaced", "removed"];
                    Assert.All(fields.Concat(snapshot), f => Assert.True(summary.TryGetProperty(f, out var _), $"{file}: no '{f}' in {summary}"));
                }

                Assert.Equal(0, Number(FileSummary(body, HoursFile), "removed"));
                var example = FileSummary(body, StatusFile).GetProperty("rejected_examples")[0];
                Assert.Equal(3, example.GetProperty("line").GetInt64());
                Assert.Contains("maybe", example.GetProperty("text").GetString(), StringComparison.Ordinal);
                return Task.CompletedTask;
            },
        };

        // Store ids that a spreadsheet would run as formulas come out of the report CSV defused.
        // (A URL with '/' in it is no store id any more: StoreIds refuses separators.)
        yield return Injection("=HYPERLINK(\"x.example\")", "\"'=HYPERLINK(\"\"x.example\"\")\"");
        yield return Injection("+SUM(1;2)", "\"'+SUM(1;2)\"");
        yield return Injection("-2+3", "\"'-2+3\"");
        yield return Injection("@cmd", "\"'@cmd\"");
        yield return Injection("a,b\"c", "\"a,b\"\"c\"");
    }

    private static BadInputCase Structural(string name, Action<CaseContext> write, string[] fragments, int? line = null, string[]? notInBody = null) => new()
    {
        Name = $"status: {name}",
        Files = c =>
        {
            write(c);
            GoodZonesBeside(c);
        },
        Status = 422,
        Fragments = [StatusFile, .. fragments],
        Line = line,
        NotInBody = notInBody ?? [],
        Counts = b => b with { Timezones = 3 },
        Check = (_, body) =>
        {
            Assert.Equal(3, Number(FileSummary(body, ZonesFile), "imported"));
            Assert.Equal("Some input files could not be imported", body.GetProperty("title").GetString());
            Assert.True(body.TryGetProperty("errors", out var errors) && errors.GetArrayLength() == 1, $"errors: {body}");
            return Task.CompletedTask;
        },
    };

    /// <summary>A bad row on line 3 between two good polls.</summary>
    private static BadInputCase Row(string name, string bad, string reason) => new()
    {
        Name = $"status row: {name}",
        Files = c => c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1), bad, GoodPoll(3))),
        Status = 200,
        Counts = b => b with { StoreStatus = b.StoreStatus + 2 },
        Check = Summary(StatusFile, imported: 2, rejected: 1, line: 3, reason: reason),
    };

    private static BadInputCase Accepted(string name, string row) => new()
    {
        Name = $"status row accepted: {name}",
        Files = c => c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1), row, GoodPoll(3))),
        Status = 200,
        Counts = b => b with { StoreStatus = b.StoreStatus + 3 },
        Check = Summary(StatusFile, imported: 3),
    };

    /// <summary>Store 0's seeded poll, again with the other status: the stored poll stays as it was.</summary>
    private static BadInputCase Conflict(string name, string timestamp)
    {
        bool? stored = null;
        return new BadInputCase
        {
            Name = name,
            Files = c =>
            {
                stored = c.StoredPollAsync(Id(0), SeededInstant).GetAwaiter().GetResult();
                Assert.NotNull(stored);
                c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1), $"{Id(0)},{(stored.Value ? "inactive" : "active")},{timestamp}"));
            },
            Status = 200,
            Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
            Check = async (c, body) =>
            {
                await Summary(StatusFile, imported: 1, conflicts: 1, conflictLine: 3)(c, body);
                Assert.Equal(stored, await c.StoredPollAsync(Id(0), SeededInstant));
            },
        };
    }

    private static BadInputCase ExactDuplicateOfStored(string name, string timestamp) => new()
    {
        Name = name,
        Files = c =>
        {
            var stored = c.StoredPollAsync(Id(0), SeededInstant).GetAwaiter().GetResult();
            Assert.NotNull(stored);
            c.Write(StatusFile, Lines(StatusHeader, GoodPoll(1), $"{Id(0)},{(stored.Value ? "active" : "inactive")},{timestamp}"));
        },
        Status = 200,
        Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
        Check = Summary(StatusFile, imported: 1, unchanged: 1),
    };

    /// <summary>A store whose id is <paramref name="storeId"/> polled in the report's last hour; its report line must start with <paramref name="cell"/>.</summary>
    private static BadInputCase Injection(string storeId, string cell) => new()
    {
        Name = $"report csv: store id {storeId}",
        Files = c => c.Write(StatusFile, Lines(StatusHeader, $"\"{storeId.Replace("\"", "\"\"", StringComparison.Ordinal)}\",active,2024-10-14 22:30:00 UTC")),
        Status = 200,
        Counts = b => b with { StoreStatus = b.StoreStatus + 1 },
        Check = async (c, body) =>
        {
            await Summary(StatusFile, imported: 1)(c, body);
            var reportId = await c.Client.TriggerAsync("?now=2024-10-14T23:00:00Z");
            var csv = await (await c.Client.WaitForReportAsync(reportId)).Content.ReadAsStringAsync();
            var lines = csv.TrimEnd('\n').Split('\n');
            Assert.Equal(CaseContext.SeedStores + 2, lines.Length);
            Assert.Contains(lines, l => l.StartsWith(cell + ",", StringComparison.Ordinal));
        },
    };
}
