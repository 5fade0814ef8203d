using StoreMonitoring.Security;

namespace StoreMonitoring.Tests.Infrastructure;

/// <summary>Real keys for a test host: created like <c>storemon apikey create</c> does, configured by hash.</summary>
public sealed class ApiKeys
{
    public string Read { get; } = ApiKeyFormat.Create();

    public string Write { get; } = ApiKeyFormat.Create();

    public (string Key, string? Value)[] Settings =>
    [
        ("StoreMonitoring:Auth:Keys:0:Name", "reader"),
        ("StoreMonitoring:Auth:Keys:0:Sha256", ApiKeyFormat.Hash(Read)),
        ("StoreMonitoring:Auth:Keys:0:Scopes:0", "read"),
        ("StoreMonitoring:Auth:Keys:1:Name", "writer"),
        ("StoreMonitoring:Auth:Keys:1:Sha256", ApiKeyFormat.Hash(Write)),
        ("StoreMonitoring:Auth:Keys:1:Scopes:0", "write"),
    ];

    public static HttpRequestMessage Request(HttpMethod method, string path, string? bearer = null, string? header = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        if (header is not null)
        {
            request.Headers.Add("X-API-Key", header);
        }

        return request;
    }
}
