using MimeKit;

namespace NodeHelper.Tests.Support;

/// <summary>The mails an SMTP listener has stored in a Maildir, parsed as a mail client would.</summary>
internal sealed class Maildir(string directory)
{
    public IReadOnlyList<MimeMessage> Messages()
    {
        var arrived = Path.Join(directory, "new");
        if (!Directory.Exists(arrived))
        {
            return [];
        }

        return [.. Directory.GetFiles(arrived).Select(f => (File: f, Time: File.GetLastWriteTimeUtc(f)))
            .OrderBy(f => f.Time).ThenBy(f => f.File, StringComparer.Ordinal)
            .Select(f => MimeMessage.Load(f.File))];
    }

    /// <summary>Waits until at least <paramref name="count"/> mails are there.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var messages = Messages();
            if (messages.Count >= count)
            {
                return messages;
            }

            await Task.Delay(200);
        }

        return Messages();
    }
}
