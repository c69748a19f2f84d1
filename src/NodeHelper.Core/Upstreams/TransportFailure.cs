using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;

namespace NodeHelper.Core.Upstreams;

/// <summary>
/// What went wrong on the wire, as a reason and a few words: .NET's own messages are often just "an error occurred",
/// and the reason must not depend on how each client happens to catch. Every client words the rest itself.
/// </summary>
internal static class TransportFailure
{
    /// <summary>The reason and a short cause for a transport exception (socket, HTTP, TLS, a body cut off, JSON).</summary>
    public static (FailureReason Reason, string Cause) Describe(Exception error)
    {
        if (Find<AuthenticationException>(error) is { } tls)
        {
            return (FailureReason.Tls, $"the TLS handshake failed ({UpstreamException.Clip(tls.Message)})");
        }

        if (Find<SocketException>(error) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => (FailureReason.Refused, "connection refused"),
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => (FailureReason.Unreachable, "its host name does not resolve"),
                SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown =>
                    (FailureReason.Unreachable, "no route to it"),
                SocketError.TimedOut => (FailureReason.Timeout, "the connection timed out"),
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown =>
                    (FailureReason.ConnectionLost, "the connection was reset"),
                _ => (FailureReason.ConnectionLost, UpstreamException.Clip(socket.Message)),
            };
        }

        if (error is HttpRequestException http)
        {
            return http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => (FailureReason.Unreachable, "its host name does not resolve"),
                HttpRequestError.SecureConnectionError => (FailureReason.Tls, "the TLS handshake failed"),
                HttpRequestError.ResponseEnded => (FailureReason.ConnectionLost, "the answer broke off"),
                HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => (FailureReason.InvalidResponse, "the answer is not valid HTTP"),
                HttpRequestError.ConnectionError => (FailureReason.Refused, "no connection"),
                _ => (FailureReason.ConnectionLost, UpstreamException.Clip(http.GetBaseException().Message)),
            };
        }

        return error switch
        {
            JsonException json => (FailureReason.InvalidResponse, $"the answer is not valid JSON ({UpstreamException.Clip(json.Message)})"),
            IOException io => (FailureReason.ConnectionLost, $"the answer broke off ({UpstreamException.Clip(io.Message)})"),
            _ => (FailureReason.Internal, $"{error.GetType().Name}: {UpstreamException.Clip(error.Message)}"),
        };
    }

    /// <summary>True for the exceptions <see cref="Describe"/> knows as transport faults rather than bugs.</summary>
    public static bool IsTransport(Exception error) =>
        error is HttpRequestException or SocketException or IOException or AuthenticationException or JsonException;

    private static T? Find<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
            }
        }

        return null;
    }
}
