namespace NodeHelper.Tests.Support;

/// <summary>Test trees that had file systems mounted in them (a chroot's /proc): removed only once nothing is mounted there.</summary>
internal static class MountedTree
{
    /// <summary>Unmounts <paramref name="mounts"/> (innermost last given, unmounted first), then deletes <paramref name="root"/>, never reaching into a mount.</summary>
    /// <exception cref="InvalidOperationException">Something is still mounted under the root: the tree is left in place.</exception>
    public static async Task RemoveAsync(string root, IEnumerable<string> mounts)
    {
        foreach (var mount in mounts.Reverse())
        {
            await ExternalProcess.RunAsync("umount", ["--lazy", mount]);
        }

        if ((await File.ReadAllTextAsync("/proc/self/mounts")).Contains(" " + root + "/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"a file system under {root} is still mounted; the tree is left in place (umount it, then delete it)");
        }

        await ExternalProcess.RunAsync("rm", ["-rf", "--one-file-system", root]);
    }
}
