using NodeHelper.Core.Upstreams;

namespace NodeHelper.Core.Configuration;

/// <summary>
/// Reads a file that holds a secret (bitcoind's cookie, a password file). A failure names the file and the setting
/// and says what to check, never the content; it is an <see cref="UpstreamException"/> with reason credentials, so
/// the collector that needed it fails with that reason rather than the exporter with a stack trace.
/// </summary>
internal static class SecretFile
{
    /// <summary>The first line, trimmed: a password file written with <c>echo</c> ends in a newline that is not part of it.</summary>
    public static string ReadFirstLine(string path, string key, string hint = "may this user read it?")
    {
        using var lines = new StringReader(Read(path, key, hint));
        return lines.ReadLine()?.Trim() ?? "";
    }

    /// <summary>The whole file.</summary>
    public static string Read(string path, string key, string hint = "may this user read it?")
    {
        var expanded = PathExpansion.Expand(path);
        try
        {
            return File.ReadAllText(expanded);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var cause = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "it does not exist",
                UnauthorizedAccessException => "permission denied",
                _ => UpstreamException.Clip(e.Message),
            };
            throw new UpstreamException(FailureReason.Credentials, $"cannot read '{expanded}' ({key}): {cause}; {hint}", e);
        }
    }
}
