namespace NodeHelper.Core.Configuration;

internal static class PathExpansion
{
    /// <summary>Expands a leading <c>~/</c> to the home directory, as a shell would for paths in bitcoin.conf examples.</summary>
    public static string Expand(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Join(home, path.AsSpan(1).TrimStart('/'));
        }

        return path;
    }

    /// <summary>The absolute path, ~ expanded: for telling whether two settings name the same file.</summary>
    public static string Full(string path) => Path.GetFullPath(Expand(path));
}
