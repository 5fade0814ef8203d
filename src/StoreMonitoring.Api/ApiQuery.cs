using Microsoft.AspNetCore.Http.HttpResults;
using StoreMonitoring.Reports.Estimation;
using ReportPeriod = StoreMonitoring.Reports.Rollups.Period;
using StoreMonitoring.Time;

namespace StoreMonitoring.Api;

/// <summary>
/// The one parser of query parameters: each method checks one kind of value and, when it is
/// wrong, records a specific message under the parameter's name; <see cref="Problem"/> turns the
/// messages into one 400 problem details.
/// </summary>
internal sealed class ApiQuery
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public EstimationMethod Method(string? text, EstimationMethod fallback, string name = "method")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (EstimationMethods.TryParse(text, out var method))
        {
            return method;
        }

        Add(name, $"{name} '{Shorten(text)}' is not a method: use interpolated, ratio or learned.");
        return fallback;
    }

    /// <summary>
    /// A period (see <see cref="ReportPeriod"/>). Its figures sum the daily rollups, which only the
    /// interpolating method keeps, so a <paramref name="method"/> beside it is refused too.
    /// </summary>
    public ReportPeriod? Period(string text, string? method, string what)
    {
        var valid = ReportPeriod.TryParse(text, out var period, out var problem);
        if (!valid)
        {
            Add("period", problem);
        }

        if (method is not null)
        {
            Add("method", $"{what} sums the daily rollups: leave method out");
        }

        return valid ? period : null;
    }

    public long? Instant(string? text, AcceptedInstants accepted, string name)
    {
        var error = accepted.TryParseOptional(text, name, out var micros);
        if (error is not null)
        {
            Add(name, error);
        }

        return micros;
    }

    public int Int(string? text, int fallback, int min, int max, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (int.TryParse(text, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Add(name, $"{name} '{Shorten(text)}' is not a whole number from {min} to {max}.");
        return fallback;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), or the first when absent.</summary>
    public string Choice(string? text, string name, params string[] allowed)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return allowed[0];
        }

        var match = allowed.FirstOrDefault(a => string.Equals(a, text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return match;
        }

        Add(name, $"{name} '{Shorten(text)}' is not valid: use {string.Join(" or ", allowed)}.");
        return allowed[0];
    }

    public Guid? Guid(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            Add(name, $"The query parameter {name} is required.");
            return null;
        }

        if (System.Guid.TryParse(text, out var id))
        {
            return id;
        }

        Add(name, $"{name} '{Shorten(text)}' is not a report id (a UUID).");
        return null;
    }

    /// <summary>Records a rule the checks above do not cover (a range between two parameters, say).</summary>
    public void Fail(string name, string message) => Add(name, message);

    public bool? Bool(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Add(name, $"{name} '{Shorten(text)}' is not true or false.");
        return null;
    }

    public ValidationProblem Problem(string title) =>
        TypedResults.ValidationProblem(_errors, string.Join(" ", _errors.Values.SelectMany(v => v)), title: title);

    private void Add(string name, string message) => _errors[name] = [message];

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "..." : text;
}
