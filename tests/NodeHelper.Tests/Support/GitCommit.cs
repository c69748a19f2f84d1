using System.Diagnostics;

namespace NodeHelper.Tests.Support;

/// <summary>The commit the repository's checkout is at, as <c>git rev-parse HEAD</c> prints it: what a build names in --version.</summary>
internal static class GitCommit
{
    public static string Head()
    {
        var start = new ProcessStartInfo("git", ["-C", Repository.Root, "rev-parse", "HEAD"]) { RedirectStandardOutput = true };
        using var git = Process.Start(start) ?? throw new InvalidOperationException("could not start git");
        var commit = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 ? commit : throw new InvalidOperationException("git rev-parse HEAD failed");
    }
}
