using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Report;

/// <summary>The mail server refused or could not be reached; the message is safe to log (no password, no server text unclipped).</summary>
internal sealed class ReportDeliveryException(string message, Exception? inner = null) : UpstreamException(FailureReason.UpstreamError, message, inner);
