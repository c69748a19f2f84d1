using System.Reflection;

namespace NodeHelper.Simulators;

/// <summary>The captured exchanges, embedded in this assembly: <c>Fixtures.Read("bitcoind/getblockchaininfo.json")</c>.</summary>
public static class Fixtures
{
    private static readonly Assembly Assembly = typeof(Fixtures).Assembly;

    public static string Read(string path)
    {
        using var stream = Assembly.GetManifestResourceStream("fixtures/" + path)
            ?? throw new FileNotFoundException($"No captured fixture '{path}' is embedded in the simulators.", path);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static bool Exists(string path) => Assembly.GetManifestResourceInfo("fixtures/" + path) is not null;

    /// <summary>The body of a captured HTTP exchange (<c>http/*.http</c>), without its status line and headers.</summary>
    public static string ReadHttpBody(string path)
    {
        var text = Read(path);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return split < 0 ? "" : text[(split + 4)..];
    }

    /// <summary>The status code of a captured HTTP exchange.</summary>
    public static int ReadHttpStatus(string path) =>
        int.Parse(Read(path).Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
}
