using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace StoreMonitoring.Security;

/// <summary>
/// What an API key looks like and how it is stored: <c>smk_</c> and 32 random bytes in base64url,
/// kept by the service only as the lower-case hex SHA-256 of the whole key.
/// </summary>
public static class ApiKeyFormat
{
    /// <summary>Makes keys recognisable in logs, leaks and secret scanners.</summary>
    public const string Prefix = "smk_";

    public const string Read = "read";
    public const string Write = "write";

    public static string Create() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    // A plain hash suffices: the key is 256 random bits, so there is nothing to brute-force that a
    // slow password hash would protect.
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool IsHash(string? value) => value is { Length: 64 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public static bool IsScope(string? value) => value is Read or Write;
}
