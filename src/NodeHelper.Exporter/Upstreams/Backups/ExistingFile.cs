namespace NodeHelper.Exporter.Upstreams.Backups;

/// <summary>A watched file as stat() sees it: what the backups and LND collectors look at before comparing a copy.</summary>
internal static class ExistingFile
{
    /// <summary>
    /// The file's stat, null when it does not exist; throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when it cannot be looked at (a directory on its path others may not
    /// enter), or is a directory.
    /// </summary>
    public static FileInfo? Stat(string path)
    {
        try
        {
            // FileInfo.Exists says false for "permission denied" too; GetAttributes tells the two apart.
            if ((File.GetAttributes(path) & FileAttributes.Directory) != 0)
            {
                throw new IOException("is a directory, not a file");
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var file = new FileInfo(path);
        return file.Exists ? file : null;
    }
}
