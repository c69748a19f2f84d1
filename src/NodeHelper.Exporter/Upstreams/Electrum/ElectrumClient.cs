using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Electrum;

/// <summary>
/// Probes an Electrum server over one TCP connection (TLS optional), speaking its newline-delimited JSON-RPC:
/// server.version, then blockchain.headers.subscribe, then server.ping. Transport only; every way the server can
/// fail or lie becomes an <see cref="UpstreamException"/>.
/// </summary>
internal sealed class ElectrumClient(ElectrumOptions options)
{
    /// <summary>The protocol version asked for: the one electrs, Fulcrum and ElectrumX all speak, and the one captured.</summary>
    public const string ProtocolVersion = "1.4";

    /// <summary>Longest line read. The longest answer of the probe (a header) is under 300 bytes.</summary>
    public const int MaxLineBytes = 64 * 1024;

    /// <summary>Unsolicited notifications skipped while waiting for one answer, at most.</summary>
    private const int MaxSkippedLines = 100;

    private readonly TimeSpan _timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);

    private string Endpoint => $"{options.Host}:{options.Port.ToString(CultureInfo.InvariantCulture)}";

    public async Task<ElectrumProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = Deadline.After(_timeout, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(options.Host, options.Port, timeout.Token);
            await using var stream = options.Tls ? await StartTlsAsync(tcp.GetStream(), timeout.Token) : tcp.GetStream();
            var session = new LineSession(stream);

            var version = await session.CallAsync(0, "server.version", $"[\"nodehelper\",\"{ProtocolVersion}\"]", timeout.Token);
            var (serverVersion, protocolVersion) = ElectrumParsers.Version(version);
            var tip = await session.CallAsync(1, "blockchain.headers.subscribe", "[]", timeout.Token);
            var (height, headerTime) = ElectrumParsers.Tip(tip);
            await session.CallAsync(2, "server.ping", "[]", timeout.Token);

            return new ElectrumProbe(serverVersion, protocolVersion, height, headerTime, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(FailureReason.Timeout,
                $"the Electrum server at {Endpoint} did not answer within {options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Electrum:TimeoutSeconds).", e);
        }
        catch (Exception e) when (e is SocketException or AuthenticationException or IOException)
        {
            // electrs and Fulcrum keep their port closed until their index is built: refused can mean "still indexing".
            var (reason, cause) = TransportFailure.Describe(e);
            var hint = reason == FailureReason.Refused ? " (electrs and Fulcrum open their port only once their index is built)" : "";
            throw new UpstreamException(reason, $"cannot talk to the Electrum server at {Endpoint}: {cause}{hint}.", e);
        }
    }

    private async Task<Stream> StartTlsAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = options.Host,
            RemoteCertificateValidationCallback = options.TlsVerify ? null : AcceptSelfSigned,
        }, cancellationToken);
        return tls;
    }

    /// <summary>
    /// With Electrum:TlsVerify=false (allowed only for a loopback host, a node's own electrs or Fulcrum): a certificate
    /// must still be presented, but its chain (self-signed) and name (issued to the host name, reached at 127.0.0.1) are forgiven.
    /// </summary>
    private static bool AcceptSelfSigned(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0;

    /// <summary>One connection's request/answer exchange: a line out, then lines in until the one with our id.</summary>
    private sealed class LineSession(Stream stream)
    {
        private readonly byte[] _buffer = new byte[MaxLineBytes];
        private int _start;
        private int _end;

        /// <summary>Sends one call and returns its result (a clone, safe after the next read); throws on an error answer.</summary>
        public async Task<JsonElement> CallAsync(int id, string method, string parameters, CancellationToken cancellationToken)
        {
            var request = Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id.ToString(CultureInfo.InvariantCulture)},\"method\":\"{method}\",\"params\":{parameters}}}\n");
            await stream.WriteAsync(request, cancellationToken);
            await stream.FlushAsync(cancellationToken);

            for (var skipped = 0; skipped <= MaxSkippedLines; skipped++)
            {
                var line = await ReadLineAsync(cancellationToken);
                using var document = ElectrumParsers.ParseLine(line, method);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("method", out _) && !root.TryGetProperty("id", out _))
                {
                    continue; // a notification (a new tip after subscribing), not our answer
                }

                return ElectrumParsers.Result(root, id, method);
            }

            throw new UpstreamException(FailureReason.InvalidResponse, $"the Electrum server sent more than {MaxSkippedLines} notifications and no answer to {method}.");
        }

        private async Task<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var line = _buffer.AsMemory(_start, newline);
                    _start += newline + 1;
                    return line;
                }

                if (_start > 0)
                {
                    _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                    _end -= _start;
                    _start = 0;
                }

                if (_end == _buffer.Length)
                {
                    throw new UpstreamException(FailureReason.TooLarge, $"the Electrum server sent a line longer than {MaxLineBytes / 1024} KiB; refusing to read on.");
                }

                var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
                if (read == 0)
                {
                    throw new UpstreamException(FailureReason.ConnectionLost, "the Electrum server closed the connection before answering.");
                }

                _end += read;
            }
        }
    }
}
