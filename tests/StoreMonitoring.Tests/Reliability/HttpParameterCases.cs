namespace StoreMonitoring.Tests.Reliability;

/// <summary>Bad query parameters: 400 or 404 problem details that name the parameter, never a 500, nothing written.</summary>
internal static class HttpParameterCases
{
    private const string UnknownId = "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b";

    public static IEnumerable<BadInputCase> All()
    {
        yield return Bad("trigger_report now=9999-12-31T23:59:59Z", "POST /trigger_report?now=9999-12-31T23:59:59Z", "now", "outside the accepted range");
        yield return Bad("trigger_report now=0001-01-01T00:00:00+01:00", "POST /trigger_report?now=0001-01-01T00:00:00%2B01:00", "now", "outside the accepted range|is not a timestamp");
        yield return Bad("trigger_report now=garbage", "POST /trigger_report?now=garbage", "now", "is not a timestamp");
        yield return Bad("trigger_report now=1999-12-31T23:59:59Z", "POST /trigger_report?now=1999-12-31T23:59:59Z", "now", "outside the accepted range");
        yield return Bad("trigger_report now beyond the clock plus the skew", "POST /trigger_report?now=2024-10-21T01:00:00Z", "now", "outside the accepted range");
        yield return Bad("trigger_report method=bogus", "POST /trigger_report?method=bogus", "method", "bogus");
        yield return Bad("trigger_report method=bogus and now=garbage", "POST /trigger_report?method=bogus&now=garbage", "method", "now");
        yield return Ok("trigger_report now inside the range", "POST /trigger_report?now=2024-10-14T23:00:00Z");
        yield return Ok("trigger_report method=RATIO", "POST /trigger_report?method=RATIO");

        yield return Bad("get_report without report_id", "GET /get_report", "report_id");
        yield return Bad("get_report with an empty report_id", "GET /get_report?report_id=", "report_id");
        yield return Bad("get_report with a malformed report_id", "GET /get_report?report_id=12345", "report_id|report id");
        yield return Bad("get_report with a 1,000-character report_id", $"GET /get_report?report_id={new string('a', 1000)}", "report_id|report id");
        yield return Bad("get_report with an unknown report_id", $"GET /get_report?report_id={UnknownId}", UnknownId) with { Status = 404 };
        yield return Bad("get_report format=xml", $"GET /get_report?report_id={UnknownId}&format=xml", "format");
        yield return Bad("get_report columns=all", $"GET /get_report?report_id={UnknownId}&columns=all", "columns");

        yield return Bad("reports limit=0", "GET /reports?limit=0", "limit");
        yield return Bad("reports limit=501", "GET /reports?limit=501", "limit");
        yield return Bad("reports limit=abc", "GET /reports?limit=abc", "limit");
        yield return Bad("reports limit=-1", "GET /reports?limit=-1", "limit");
        yield return Ok("reports limit=500", "GET /reports?limit=500");

        yield return Ok("debug_data on an empty database", "GET /debug_data") with { Seed = false };
        yield return Ok("debug_data after the seed", "GET /debug_data");
    }

    private static BadInputCase Bad(string name, string request, params string[] fragments) => new()
    {
        Name = $"http: {name}",
        Request = request,
        Status = 400,
        Fragments = fragments,
    };

    private static BadInputCase Ok(string name, string request) => new()
    {
        Name = $"http: {name}",
        Request = request,
        Status = 200,
    };
}
