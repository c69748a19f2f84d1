namespace NodeHelper.Report;

/// <summary>
/// The outbox (Report:OutboxDirectory) could not be read or written: the machine's fault, not the mail server's.
/// An <see cref="IOException"/>, so whoever handles a full disk or a wrong owner handles this too.
/// </summary>
internal sealed class ReportOutboxException(string message, Exception inner) : IOException(message, inner);
