namespace NodeHelper.Exporter.Upstreams.Systemd;

/// <summary>What systemd said; <see cref="Available"/> is false on a host without systemd (a container, another init).</summary>
internal sealed record SystemdSnapshot(bool Available, IReadOnlyList<UnitStatus> Units);
