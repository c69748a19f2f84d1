namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>What `systemctl enable` and `systemctl mask` leave in /etc/systemd/system, read without asking systemd.</summary>
internal static class SystemdUnitLinks
{
    /// <summary>
    /// Whether systemd starts <paramref name="unit"/> at boot: a link to it in one of the .wants directories of
    /// /etc/systemd/system, which is what `systemctl enable` makes (nftables.service: sysinit.target.wants,
    /// apt-daily-upgrade.timer: timers.target.wants).
    /// </summary>
    public static bool EnabledAtBoot(string etcSystemdSystem, string unit) =>
        Directory.Exists(etcSystemdSystem)
        && Directory.EnumerateDirectories(etcSystemdSystem, "*.wants").Any(wants => Present(Path.Join(wants, unit)));

    /// <summary>Whether `systemctl mask` has linked <paramref name="unit"/> to /dev/null in /etc/systemd/system: systemd will not start it.</summary>
    public static bool Masked(string etcSystemdSystem, string unit) =>
        new FileInfo(Path.Join(etcSystemdSystem, unit)).LinkTarget == "/dev/null";

    /// <summary>A file, or a link even when its target is outside Host:Root (an absolute /lib/systemd/system/... link).</summary>
    private static bool Present(string path) => File.Exists(path) || new FileInfo(path).LinkTarget is not null;
}
