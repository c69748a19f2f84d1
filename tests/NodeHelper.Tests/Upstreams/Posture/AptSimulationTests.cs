using NodeHelper.Exporter.Upstreams.Posture;

namespace NodeHelper.Tests.Upstreams.Posture;

/// <summary>apt-get -s dist-upgrade's output, captured on the development machine (Fixtures/apt).</summary>
public sealed class AptSimulationTests
{
    [Fact]
    public void TheCapturedSimulationCountsEveryInstLineAndTheSecurityOnes()
    {
        var lines = File.ReadLines(Path.Join(AppContext.BaseDirectory, "Fixtures", "apt", "dist-upgrade-simulation.txt"));

        // 121 Inst lines: 63 from bookworm's security archive alone, 14 from both the point release and the security
        // archive (security: the -security suite offers the version), 44 from the point release only.
        AptSimulation.Parse(lines).Should().Be(new AptPending(121, 77));
    }

    [Fact]
    public void ASecurityUpgradeIsOneAnySecuritySuiteOffers()
    {
        string[] lines =
        [
            "Inst libssl3 [3.0.2-0ubuntu1.15] (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])",
            "Inst raspi-firmware [1:1.20240424-1] (1:1.20250430-1 Raspberry Pi Foundation:stable/stable [arm64]) []",
            "Inst newdep (1.0-1 Debian:12.15/oldstable [all])",
            "Conf libssl3 (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])",
            "Remv oldpkg [2.0]",
        ];

        AptSimulation.Parse(lines).Should().Be(new AptPending(3, 1), "a new dependency counts, Conf and Remv do not, and only jammy-security is security");
        FluentActions.Invoking(() => AptSimulation.Parse(["Inst broken [1.0] no parenthesis"])).Should().Throw<FormatException>();
    }
}
