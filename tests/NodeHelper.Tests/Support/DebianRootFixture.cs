using System.Text.RegularExpressions;

namespace NodeHelper.Tests.Support;

/// <summary>
/// A fresh Debian 12 root filesystem, made once per test run with Debian's mmdebstrap (minbase: what a minimal
/// install has) from the mirror this machine's apt uses; each test unpacks its own copy (<see cref="NewRootAsync"/>).
/// </summary>
public sealed class DebianRootFixture : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-debian-").FullName;

    private string Tarball => Path.Join(_dir, "bookworm.tar");

    public async Task InitializeAsync()
    {
        var mmdebstrap = ExternalProcess.Require("mmdebstrap", "run `make test`, which installs Debian's mmdebstrap");
        var made = await ExternalProcess.RunAsync(mmdebstrap,
            ["--variant=minbase", "--quiet", "bookworm", Tarball, $"deb {Mirror()} bookworm main"], timeout: TimeSpan.FromMinutes(10));
        if (made.ExitCode != 0)
        {
            throw new InvalidOperationException($"mmdebstrap failed: {made.StandardError}");
        }
    }

    /// <summary>A root of its own for one test, with /proc mounted; disposing unmounts it and deletes the tree.</summary>
    public async Task<DebianRoot> NewRootAsync()
    {
        var root = Directory.CreateTempSubdirectory("nodehelper-root-").FullName;
        var unpacked = await ExternalProcess.RunAsync("tar", ["-C", root, "-xf", Tarball], timeout: TimeSpan.FromMinutes(2));
        if (unpacked.ExitCode != 0)
        {
            await ExternalProcess.RunAsync("rm", ["-rf", "--one-file-system", root]);
            throw new InvalidOperationException($"tar failed: {unpacked.StandardError}");
        }

        return await DebianRoot.MountAsync(root);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The Debian mirror of this machine's apt sources (deb822 URIs: line), as ENVIRONMENT.md says mmdebstrap needs.</summary>
    private static string Mirror()
    {
        foreach (var file in Directory.Exists("/etc/apt/sources.list.d") ? Directory.GetFiles("/etc/apt/sources.list.d", "*.sources") : [])
        {
            var uri = Regex.Match(File.ReadAllText(file), @"^URIs:\s*(\S+/debian)\s*$", RegexOptions.Multiline);
            if (uri.Success)
            {
                return uri.Groups[1].Value;
            }
        }

        return "http://deb.debian.org/debian";
    }
}

/// <summary>One unpacked Debian root, used with chroot.</summary>
public sealed class DebianRoot : IAsyncDisposable
{
    private DebianRoot(string path) => Path = path;

    public string Path { get; }

    public string In(string absolute) => System.IO.Path.Join(Path, absolute);

    internal static async Task<DebianRoot> MountAsync(string path)
    {
        var root = new DebianRoot(path);
        var mounted = await ExternalProcess.RunAsync("mount", ["-t", "proc", "proc", root.In("/proc")]);
        if (mounted.ExitCode != 0)
        {
            await ExternalProcess.RunAsync("rm", ["-rf", "--one-file-system", path]);
            throw new InvalidOperationException($"mount proc failed: {mounted.StandardError}");
        }

        return root;
    }

    /// <summary>A shell command inside the root, as root.</summary>
    internal Task<ExternalProcess.Result> RunAsync(string command, TimeSpan? timeout = null) =>
        ExternalProcess.RunAsync("chroot", [Path, "/bin/sh", "-c", command], timeout: timeout ?? TimeSpan.FromMinutes(2),
            environment: new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin", ["DEBIAN_FRONTEND"] = "noninteractive" });

    public ValueTask DisposeAsync() => new(MountedTree.RemoveAsync(Path, [In("/proc")]));
}
