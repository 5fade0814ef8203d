using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Reliability;

/// <summary>
/// The failure policy, case by case: each case seeds a fresh database with a known good import,
/// then sends a bad input through the real HTTP pipeline and checks the status, the problem
/// details and what the database kept.
/// </summary>
public sealed class BadInputTests
{
    private static readonly Dictionary<string, BadInputCase> Cases =
        StatusFileCases.All().Concat(SnapshotFileCases.All()).Concat(HttpParameterCases.All())
            .Concat(SnapshotGuardCases.All()).Concat(StoreIdCases.All()).Concat(RequestFailureCases.All()).ToDictionary(c => c.Name);

    public static TheoryData<Engine, string> EnginesAndCases
    {
        get
        {
            var data = new TheoryData<Engine, string>();
            foreach (var engine in TestDatabase.Engines)
            {
                foreach (var name in Cases.Keys)
                {
                    data.Add(engine.Data, name);
                }
            }

            return data;
        }
    }

    [Fact]
    public void The_table_covers_at_least_70_cases() => Assert.True(Cases.Count >= 70, $"{Cases.Count} cases");

    [Theory]
    [MemberData(nameof(EnginesAndCases))]
    public async Task Bad_input_gets_a_precise_answer_and_loses_nothing(Engine engine, string name)
    {
        var @case = Cases[name];
        await using var context = await CaseContext.CreateAsync(engine, @case.Seed);
        var before = await context.CountsAsync();
        var jobsBefore = await context.CountReportJobsAsync();
        @case.Files?.Invoke(context);

        var parts = @case.Request.Split(' ', 2);
        using var request = new HttpRequestMessage(new HttpMethod(parts[0]), parts[1]);
        if (@case.Body is { } payload)
        {
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(@case.ContentType);
        }
        using var response = await context.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var shown = text.Length > 2000 ? text[..2000] + "..." : text;

        Assert.True((int)response.StatusCode == @case.Status, $"expected {@case.Status}, got {(int)response.StatusCode}: {shown}");
        foreach (var secret in @case.NotInBody)
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        var body = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        Assert.True((int)response.StatusCode < 500 || @case.Status >= 500, $"a 5xx: {shown}");
        if (response.StatusCode >= HttpStatusCode.BadRequest && request.Method != HttpMethod.Head)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(body.TryGetProperty("detail", out var detailElement), $"no detail: {shown}");
            var detail = detailElement.GetString() ?? "";
            foreach (var fragment in @case.Fragments)
            {
                Assert.True(
                    fragment.Split('|').Any(f => detail.Contains(f, StringComparison.OrdinalIgnoreCase)),
                    $"detail does not name '{fragment}': {detail}");
            }

            if (@case.Line is { } line)
            {
                Assert.Matches(new Regex($@"\bline\s*:?\s*{line}\b", RegexOptions.IgnoreCase), detail);
            }

            Assert.Equal(jobsBefore, await context.CountReportJobsAsync());
        }

        var expected = @case.Counts?.Invoke(before) ?? before;
        Assert.Equal(expected, await context.CountsAsync());
        if (@case.Check is not null)
        {
            await @case.Check(context, body);
        }
    }
}
