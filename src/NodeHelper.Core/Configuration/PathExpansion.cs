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
}
