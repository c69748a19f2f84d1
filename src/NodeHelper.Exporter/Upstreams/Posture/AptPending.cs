namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>What a simulated dist-upgrade would install: every package, and those a -security suite offers.</summary>
internal sealed record AptPending(int Upgrades, int SecurityUpgrades);
