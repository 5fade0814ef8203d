using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace StoreMonitoring.Alerts;

/// <summary>A webhook destination that resolves to an address the service must not call.</summary>
public sealed class DestinationRefusedException(string message) : Exception(message);

/// <summary>
/// Keeps webhooks from reaching the service's own network (SSRF): loopback, private, link-local
/// and other non-public addresses are refused unless <c>AllowPrivateNetworks</c> is set.
/// </summary>
/// <remarks>
/// A URL is checked when it is subscribed, and again on every connection: the delivery client
/// connects through <see cref="ConnectAsync"/>, which resolves the name, checks every address
/// and connects only to checked ones, so a name that resolves somewhere else later (DNS
/// rebinding) is caught where it matters. Proxies are off for the same reason.
/// </remarks>
public sealed class DestinationGuard(IOptionsMonitor<WebhookOptions> options)
{
    public const int MaxUrlLength = 2048;

    private bool AllowPrivate => options.CurrentValue.AllowPrivateNetworks;

    /// <summary>Why <paramref name="url"/> cannot be a destination, or null when it can.</summary>
    public async Task<string?> CheckUrlAsync(string? url, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "The url is required.";
        }

        if (url.Length > MaxUrlLength)
        {
            return $"The url is longer than {MaxUrlLength} characters.";
        }

        // A raw CR or LF (or any control character) would be taken out or escaped by the URI
        // parser here, but a proxy, log or header that sees the text as given may split on it.
        if (url.Any(char.IsControl))
        {
            return "The url must not contain a carriage return, line feed or other control character (percent-encode it).";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "The url must be an absolute http or https URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "The url must not contain a user name or password.";
        }

        try
        {
            await ResolveAsync(uri.IdnHost, cancellationToken);
            return null;
        }
        catch (DestinationRefusedException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The connect step of the delivery client: only to addresses that pass the check.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new DestinationRefusedException($"The host '{host}' could not be resolved ({ex.SocketErrorCode}).");
        }

        if (addresses.Length == 0)
        {
            throw new DestinationRefusedException($"The host '{host}' resolves to no address.");
        }

        if (!AllowPrivate && addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused)
        {
            throw new DestinationRefusedException(
                $"The host '{host}' resolves to {refused}, a loopback, private or otherwise non-public address; set StoreMonitoring:Webhooks:AllowPrivateNetworks=true to allow it.");
        }

        return addresses;
    }

    /// <summary>Whether an address is on the public internet (RFC 6890's special-purpose ranges are not).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var v6 = address.GetAddressBytes();
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that decides.
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b)
        {
            return IsPublic(new IPAddress(v6[12..16]));
        }

        if (v6[0] == 0x20 && v6[1] == 0x02)
        {
            return IsPublic(new IPAddress(v6[2..6]));
        }

        return !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6UniqueLocal || address.IsIPv6Multicast || address.IsIPv4MappedToIPv6
            || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8)
            || v6.Take(12).All(x => x == 0));
    }
}
