using System.IO.Pipelines;
using System.Text;

namespace StoreMonitoring.Api.Operations;

/// <summary>
/// Problem details for what Kestrel refuses itself, before any middleware runs (a malformed
/// request line, a URL or headers past its limits, a bad Content-Length): Kestrel answers those
/// with an empty body and closes the connection, and offers no hook to say more. A connection
/// filter recognises exactly that answer as it is written (an error status, <c>Content-Length: 0</c>
/// and <c>Connection: close</c>, which the service's own pipeline never sends, since every error of
/// it carries problem details) and gives it a problem-details body.
/// </summary>
internal static class ServerRefusals
{
    public static WebApplicationBuilder UseProblemDetailsForServerRefusals(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
        {
            connection.Transport = new Pipe(connection.Transport);
            return next(connection);
        })));
        return builder;
    }

    /// <summary>The detail for each status Kestrel refuses a request with.</summary>
    internal static string Detail(int status) => status switch
    {
        400 => "The request could not be read: a malformed request line, header or body framing (the server's log says which). Nothing was processed.",
        408 => "The request headers or body did not arrive in time. Nothing was processed.",
        411 => "This request needs a Content-Length (or chunked transfer encoding). Nothing was processed.",
        413 => "The request body is larger than the server takes. Nothing was processed.",
        414 => "The URL is longer than the server takes (8 KiB for the request line). Nothing was processed.",
        431 => "The request headers are larger than the server takes (32 KiB in all). Nothing was processed.",
        501 => "This method or transfer encoding is not implemented by the server. Nothing was processed.",
        505 => "This HTTP version is not supported: use HTTP/1.1 or HTTP/2. Nothing was processed.",
        _ => "The server refused the request before it reached the service. Nothing was processed.",
    };

    /// <summary>Rewrites a refusal's empty answer, if <paramref name="written"/> is one; null otherwise.</summary>
    internal static byte[]? Rewrite(ReadOnlySpan<byte> written)
    {
        // "HTTP/1.1 400 Bad Request\r\n...\r\n\r\n": the whole head, in one write.
        if (written.Length < 16 || !written.StartsWith("HTTP/1."u8) || written[9] is not ((byte)'4' or (byte)'5') || !written.EndsWith("\r\n\r\n"u8)
            || written.IndexOf("\r\nContent-Length: 0\r\n"u8) < 0 || written.IndexOf("\r\nConnection: close\r\n"u8) < 0
            || !int.TryParse(Encoding.ASCII.GetString(written.Slice(9, 3)), out var status))
        {
            return null;
        }

        var head = Encoding.ASCII.GetString(written);
        var reason = head[(head.IndexOf(' ', 9) + 1)..head.IndexOf('\r', StringComparison.Ordinal)];
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}",
            ["title"] = reason,
            ["status"] = status,
            ["detail"] = Detail(status),
        });
        head = head.Replace("\r\nContent-Length: 0\r\n", $"\r\nContent-Type: application/problem+json\r\nContent-Length: {body.Length}\r\n", StringComparison.Ordinal);
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private sealed class Pipe(IDuplexPipe inner) : IDuplexPipe
    {
        public PipeReader Input => inner.Input;

        public PipeWriter Output { get; } = new Writer(inner.Output);
    }

    /// <summary>Passes every write through, looking only at the start of each: an answer's head.</summary>
    private sealed class Writer(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> _last;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            if (bytes >= 16 && _last.Length >= bytes && _last.Span[0] == (byte)'H' && Rewrite(_last.Span[..bytes]) is { } answer)
            {
                // Nothing was advanced yet, so the next span starts where the head was written.
                var span = inner.GetSpan(answer.Length);
                answer.CopyTo(span);
                inner.Advance(answer.Length);
            }
            else
            {
                inner.Advance(bytes);
            }

            _last = default;
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            if (source.Length >= 16 && source.Span[0] == (byte)'H' && Rewrite(source.Span) is { } answer)
            {
                return inner.WriteAsync(answer, cancellationToken);
            }

            return inner.WriteAsync(source, cancellationToken);
        }
    }
}
