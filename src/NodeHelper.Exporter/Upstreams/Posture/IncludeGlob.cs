namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>The files of an include pattern (sshd's Include, nft's include), sorted as glob(3) returns them.</summary>
internal static class IncludeGlob
{
    /// <summary>A * or ? only in the file name, as Debian's drop-in directories use it (sshd_config.d/*.conf, nftables.d/*.nft).</summary>
    public static IEnumerable<string> Files(string pattern)
    {
        var directory = Path.GetDirectoryName(pattern) ?? "/";
        var name = Path.GetFileName(pattern);
        if (!name.Contains('*', StringComparison.Ordinal) && !name.Contains('?', StringComparison.Ordinal))
        {
            return File.Exists(pattern) ? [pattern] : [];
        }

        return Directory.Exists(directory)
            ? Directory.GetFiles(directory, name).Order(StringComparer.Ordinal)
            : [];
    }
}
