using NodeHelper.Exporter.Upstreams.Posture;
using NodeHelper.Tests.Upstreams.Host;

namespace NodeHelper.Tests.Upstreams.Posture;

/// <summary>
/// The firewall configuration a boot would load, read from files (the live ruleset needs CAP_NET_ADMIN): only inbound
/// filtering counts. Fixtures/firewall/ holds one file per case.
/// </summary>
public sealed class FirewallConfigTests : IDisposable
{
    /// <summary>Debian 12's /etc/nftables.conf as the nftables package ships it: three chains and no rule.</summary>
    private const string DebianDefault = """
        #!/usr/sbin/nft -f

        flush ruleset

        table inet filter {
        	chain input {
        		type filter hook input priority filter;
        	}
        	chain forward {
        		type filter hook forward priority filter;
        	}
        	chain output {
        		type filter hook output priority filter;
        	}
        }
        """;

    private static readonly string Cases = Path.Join(AppContext.BaseDirectory, "Fixtures", "firewall");

    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-firewall-").FullName;

    [Theory]
    [InlineData("debian-default.nft", false)] // Debian 12's shipped /etc/nftables.conf: three chains, no rule
    [InlineData("output-only.nft", false)] // a drop policy and rules on output, an accepting input chain with a counter
    [InlineData("counter-nat.nft", false)] // counters and a log on input, masquerade and dnat in a nat table
    [InlineData("input-jump-reject.nft", true)] // input jumps to a regular chain that rejects
    [InlineData("input-vmap.nft", true)] // a base chain made by add commands, a verdict map with a drop
    public void NftablesFiltersOnlyWithADropOrRejectOnTheInputHook(string file, bool filters) =>
        FirewallConfig.NftablesFiltersInput("/" + file, p => Path.Join(Cases, p)).Should().Be(filters, file);

    [Theory]
    [InlineData("nat-only.rules.v4", false)] // Docker's nat and FORWARD chains, an OUTPUT reject, INPUT accepting
    [InlineData("input-drop-policy.rules.v4", true)] // :INPUT DROP with accepts for SSH and P2P
    [InlineData("input-user-chain.rules.v6", true)] // -A INPUT -j node-in, which rejects
    public void IptablesFiltersOnlyWithADropOrRejectInTheFilterTablesInput(string file, bool filters) =>
        FirewallConfig.IptablesFiltersInput(File.ReadLines(Path.Join(Cases, file))).Should().Be(filters, file);

    [Fact]
    public void FilesOnlyRootMayReadMakeTheAnswerUnknownUnlessAnotherFilters()
    {
        bool Judge(string file) => file == "denied" ? throw new UnauthorizedAccessException("Access to the path is denied.") : file == "drops";

        FirewallConfig.AnyFiltersInput(["denied"], Judge).Should().BeNull("netfilter-persistent's 0640 root:root rules.v4: unknown, not off");
        FirewallConfig.AnyFiltersInput(["denied", "accepts"], Judge).Should().BeNull();
        FirewallConfig.AnyFiltersInput(["denied", "drops"], Judge).Should().BeTrue("rules.v6 filters, whatever rules.v4 says");
        FirewallConfig.AnyFiltersInput(["accepts"], Judge).Should().BeFalse();
        FirewallConfig.AnyFiltersInput([], Judge).Should().BeFalse("iptables-persistent without rules files loads nothing");
        FluentActions.Invoking(() => FirewallConfig.AnyFiltersInput(["broken"], _ => throw new IOException("Input/output error")))
            .Should().Throw<IOException>("a read that fails for another reason is a failed source");
    }

    [Fact]
    public void NftablesDebianDefaultHasNoRuleAndTheFixtureHas()
    {
        File.WriteAllText(Path.Join(_dir, "default.conf"), DebianDefault);
        File.WriteAllText(Path.Join(_dir, "accept-policy.conf"), DebianDefault.Replace("priority filter;\n\t}", "priority filter; policy accept;\n\t}", StringComparison.Ordinal));
        File.WriteAllText(Path.Join(_dir, "one-line.conf"), "table ip f { chain input { type filter hook input priority 0; policy drop; } }\n");

        Has("default.conf").Should().BeFalse("chains that only declare their hook filter nothing");
        Has("accept-policy.conf").Should().BeFalse("an accept policy with no rule filters nothing");
        Has("one-line.conf").Should().BeTrue("a drop policy on the input hook filters");
        FirewallConfig.NftablesFiltersInput("/etc/nftables.conf", p => Path.Join(HostParsersTests.HostRoot, p)).Should().BeTrue();
    }

    [Fact]
    public void NftablesIncludesAndCommandsCount()
    {
        var etc = Directory.CreateDirectory(Path.Join(_dir, "etc")).FullName;
        Directory.CreateDirectory(Path.Join(etc, "nftables.d"));
        File.WriteAllText(Path.Join(etc, "nftables.conf"), DebianDefault + "\ninclude \"/etc/nftables.d/*.nft\"\n");
        File.WriteAllText(Path.Join(etc, "nftables.d", "node.nft"), "add rule inet filter input tcp dport 8332 drop # bitcoind's RPC\n");
        File.WriteAllText(Path.Join(etc, "commented.conf"), DebianDefault + "\n# add rule inet filter input drop\n");

        FirewallConfig.NftablesFiltersInput("/etc/nftables.conf", p => Path.Join(_dir, p)).Should().BeTrue("the included file adds a rule");
        FirewallConfig.NftablesFiltersInput("/etc/commented.conf", p => Path.Join(_dir, p)).Should().BeFalse("a comment is not a rule");
    }

    [Fact]
    public void IptablesSaveFilesFilterWhenInputDropsOrRejects()
    {
        string[] empty = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", "COMMIT"];

        FirewallConfig.IptablesFiltersInput(empty).Should().BeFalse();
        FirewallConfig.IptablesFiltersInput(File.ReadLines(Path.Join(HostParsersTests.HostRoot, "etc", "iptables", "rules.v4"))).Should().BeTrue();
        FirewallConfig.IptablesFiltersInput(["*filter", ":INPUT DROP [12:3400]", "COMMIT"]).Should().BeTrue();
        FirewallConfig.IptablesFiltersInput(["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", "-A OUTPUT -j DROP", "COMMIT"]).Should().BeFalse("FORWARD and OUTPUT filter nothing that comes in");
        FirewallConfig.IptablesFiltersInput(["*filter", "-A INPUT -j a", "-A a -j b", "-A b -j a", "COMMIT"]).Should().BeFalse("a loop of user chains ends");
    }

    [Fact]
    public void AUnitIsEnabledWhenAWantsDirectoryLinksIt()
    {
        var system = Directory.CreateDirectory(Path.Join(_dir, "system")).FullName;
        SystemdUnitLinks.EnabledAtBoot(system, "nftables.service").Should().BeFalse();

        var wants = Directory.CreateDirectory(Path.Join(system, "sysinit.target.wants")).FullName;
        File.CreateSymbolicLink(Path.Join(wants, "nftables.service"), "/lib/systemd/system/nftables.service-nowhere");

        SystemdUnitLinks.EnabledAtBoot(system, "nftables.service").Should().BeTrue("systemctl enable's link, even when its target is outside the tree read");
        SystemdUnitLinks.EnabledAtBoot(system, "netfilter-persistent.service").Should().BeFalse();
    }

    private bool Has(string file) => FirewallConfig.NftablesFiltersInput("/" + file, p => Path.Join(_dir, p));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
