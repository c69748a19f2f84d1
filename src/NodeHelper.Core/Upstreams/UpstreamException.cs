namespace NodeHelper.Core.Upstreams;

/// <summary>
/// An upstream could not be read. <see cref="Reason"/> says why from a fixed set (it becomes a label); the message
/// says what happened in words an operator can act on, and is safe to log: it never holds a credential, and text
/// that came from the upstream is clipped and cleaned first.
/// </summary>
internal class UpstreamException(FailureReason reason, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public FailureReason Reason { get; } = reason;

    /// <summary>Makes text that an upstream sent safe to put in a log line: one line, printable, short.</summary>
    public static string Clip(string? text, int maxLength = 200)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var length = Math.Min(text.Length, maxLength);
        if (length < text.Length && length > 0 && char.IsHighSurrogate(text[length - 1]))
        {
            length--; // never half a character
        }

        var span = text.AsSpan(0, length);
        var clean = string.Create(span.Length, span.ToString(), static (dest, src) =>
        {
            for (var i = 0; i < src.Length; i++)
            {
                dest[i] = char.IsControl(src[i]) ? ' ' : src[i];
            }
        });
        return text.Length > maxLength ? clean + "…" : clean;
    }
}
