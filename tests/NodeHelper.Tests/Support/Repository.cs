namespace NodeHelper.Tests.Support;

/// <summary>Files of the repository itself (README, the Prometheus and Alertmanager bundle, docs), found from the test binary.</summary>
internal static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string PathOf(params string[] parts) => Path.Join([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Join(dir.FullName, "NodeHelper.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (NodeHelper.sln) above " + AppContext.BaseDirectory);
    }
}
