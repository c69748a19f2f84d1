namespace NodeHelper.Tests.Support;

/// <summary>
/// What <c>make package</c> builds (and <c>make test</c> builds first): the NativeAOT binaries and the Debian packages.
/// The tests check these very files, the ones a node operator would download, not a build of their own.
/// </summary>
internal static class ReleaseArtifacts
{
    /// <summary>The version the build gives every binary and package (Directory.Build.props).</summary>
    public static string Version { get; } =
        System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Repository.PathOf("Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;

    public static string Binary(string runtime) => Existing(Repository.PathOf("artifacts", "release", runtime, "nodehelper"));

    public static string Package(string architecture) =>
        Existing(Repository.PathOf("artifacts", "packages", $"nodehelper_{Version}_{architecture}.deb"));

    public static string Image(string architecture) =>
        Existing(Repository.PathOf("artifacts", "images", $"nodehelper_{Version}_{architecture}.docker.tar"));

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new Xunit.Sdk.XunitException($"{path} is missing: run `make package image` (make test builds them before the tests)");
}
