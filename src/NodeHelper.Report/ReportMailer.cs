using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Report;

/// <summary>
/// Makes the day's report, puts it in the outbox, and offers everything pending to the mail server, oldest
/// first. What the server does not take stays pending for the next try.
/// </summary>
internal sealed class ReportMailer(ReportOptions options, DailyReportBuilder builder, ReportOutbox outbox)
{
    public ReportOutbox Outbox => outbox;

    /// <summary>
    /// Builds the report ending at <paramref name="at"/> under <paramref name="id"/> and keeps it in the outbox,
    /// unless one with that id exists already (null then). A report that could not be made is kept and mailed too,
    /// saying so: it is the heartbeat.
    /// </summary>
    public async Task<HealthReport?> EnqueueAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (outbox.Has(id))
        {
            return null;
        }

        var report = await builder.BuildAsync(at, cancellationToken);
        await outbox.AddAsync(id, ReportRenderer.Compose(report, options.From, options.To, id), cancellationToken);
        return report;
    }

    /// <summary>Sends every pending report; returns the ids sent. Throws <see cref="ReportDeliveryException"/> when the server fails, leaving the rest pending.</summary>
    public async Task<IReadOnlyList<string>> SendPendingAsync(CancellationToken cancellationToken)
    {
        var pending = outbox.PendingIds();
        var sent = new List<string>();
        if (pending.Count == 0)
        {
            return sent;
        }

        using var smtp = new SmtpClient { Timeout = (int)(options.TimeoutSeconds * 1000) };
        if (!options.SmtpTlsVerify)
        {
            // Allowed only for a loopback server (checked at start): a self-signed certificate on the same machine.
            smtp.ServerCertificateValidationCallback = AcceptSelfSigned;
        }

        try
        {
            await smtp.ConnectAsync(options.SmtpHost, options.SmtpPort, options.SmtpSecurity, cancellationToken);
            if (options.SmtpUser.Length > 0)
            {
                if (!smtp.IsSecure && !Loopback.IsLoopbackHost(options.SmtpHost))
                {
                    throw new ReportDeliveryException(
                        $"the mail server {options.SmtpHost}:{options.SmtpPort} offers no TLS, and the password is not sent in clear (Report:Smtp:Security).");
                }

                await smtp.AuthenticateAsync(options.SmtpUser, ReadPassword(), cancellationToken);
            }

            foreach (var id in pending)
            {
                MimeKit.MimeMessage message;
                try
                {
                    message = await outbox.LoadAsync(id, cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    throw new ReportOutboxException($"{id} cannot be read from the outbox {outbox.Directory}: {e.Message}", e);
                }

                await smtp.SendAsync(message, cancellationToken);
                try
                {
                    outbox.MarkSent(id);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ReportOutboxException($"{id} was sent, but cannot be moved to {outbox.Directory}/sent, so it will be sent again: {e.Message}", e);
                }

                sent.Add(id);
            }

            await smtp.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (UpstreamException e) when (e is not ReportDeliveryException)
        {
            // The password file (SecretFile): named, never shown.
            throw new ReportDeliveryException($"the report was not offered to {options.SmtpHost}:{options.SmtpPort}: {e.Message}", e);
        }
        catch (Exception e) when (e is SocketException or (IOException and not ReportOutboxException) or SmtpCommandException or SmtpProtocolException or NotSupportedException
                                      or AuthenticationException or SslHandshakeException or ServiceNotConnectedException or TimeoutException)
        {
            throw new ReportDeliveryException($"the mail server {options.SmtpHost}:{options.SmtpPort} did not take the report: {Describe(e)}", e);
        }

        return sent;
    }

    /// <summary>With Report:Smtp:TlsVerify=false (loopback only): a certificate must be presented, its chain and name are forgiven.</summary>
    private static bool AcceptSelfSigned(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain, System.Net.Security.SslPolicyErrors errors) =>
        certificate is not null && (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable) == 0;

    private string ReadPassword() =>
        options.SmtpPasswordFile.Length == 0 ? "" : SecretFile.ReadFirstLine(options.SmtpPasswordFile, "Report:Smtp:PasswordFile");

    private static string Describe(Exception e) => e switch
    {
        SocketException socket => $"{socket.SocketErrorCode}.",
        AuthenticationException => "the login was refused (Report:Smtp:User, Report:Smtp:PasswordFile).",
        NotSupportedException => "it offers no login, and Report:Smtp:User is set.",
        SslHandshakeException => "the TLS handshake failed (the certificate, or Report:Smtp:Security).",
        SmtpCommandException command => $"it answered {(int)command.StatusCode}: {UpstreamException.Clip(command.Message)}",
        _ => UpstreamException.Clip(e.Message),
    };
}
