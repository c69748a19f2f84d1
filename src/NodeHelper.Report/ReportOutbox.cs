using MimeKit;

namespace NodeHelper.Report;

/// <summary>
/// Where reports wait for the mail server: <c>pending/ID.eml</c> until it takes them, then <c>sent/ID.eml</c>
/// (the last few kept for reference). A report is written to disk before it is offered, so none is lost when the
/// server is down or the exporter stops; it moves to sent/ right after the server accepts it, so none is sent
/// twice. The only gap is a crash in the instant between the two, and the report's fixed Message-ID covers it.
/// </summary>
internal sealed class ReportOutbox(string directory)
{
    private const int SentKept = 30;

    public string Directory => directory;

    private string Pending => Path.Join(directory, "pending");

    private string Sent => Path.Join(directory, "sent");

    /// <summary>Whether a report with this id is already waiting or was sent: a day's report is made once.</summary>
    public bool Has(string id) => File.Exists(PendingPath(id)) || File.Exists(SentPath(id));

    public IReadOnlyList<string> PendingIds() =>
        System.IO.Directory.Exists(Pending)
            ? [.. System.IO.Directory.GetFiles(Pending, "*.eml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Writes the message to pending/, atomically: a half-written file is never offered.</summary>
    public async Task AddAsync(string id, MimeMessage message, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Pending);
        var temporary = Path.Join(Pending, $".{id}.{Environment.ProcessId}.tmp");
        await message.WriteToAsync(temporary, cancellationToken);
        File.Move(temporary, PendingPath(id), overwrite: true);
    }

    public async Task<MimeMessage> LoadAsync(string id, CancellationToken cancellationToken) =>
        await MimeMessage.LoadAsync(PendingPath(id), cancellationToken);

    /// <summary>The server has taken it: into sent/, keeping the newest few there.</summary>
    public void MarkSent(string id)
    {
        System.IO.Directory.CreateDirectory(Sent);
        File.Move(PendingPath(id), SentPath(id), overwrite: true);
        foreach (var old in System.IO.Directory.GetFiles(Sent, "*.eml").OrderByDescending(File.GetLastWriteTimeUtc).Skip(SentKept))
        {
            File.Delete(old);
        }
    }

    private string PendingPath(string id) => Path.Join(Pending, id + ".eml");

    private string SentPath(string id) => Path.Join(Sent, id + ".eml");
}
