using NodeHelper.Exporter.Upstreams.Posture;
using NodeHelper.Tests.Upstreams.Host;

namespace NodeHelper.Tests.Upstreams.Posture;

/// <summary>The firewall configuration a boot would load, read from files (the live ruleset needs CAP_NET_ADMIN).</summary>
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

    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-firewall-").FullName;

    [Fact]
    public void NftablesDebianDefaultHasNoRuleAndTheFixtureHas()
    {
        File.WriteAllText(Path.Join(_dir, "default.conf"), DebianDefault);
        File.WriteAllText(Path.Join(_dir, "accept-policy.conf"), DebianDefault.Replace("priority filter;\n\t}", "priority filter; policy accept;\n\t}", StringComparison.Ordinal));
        File.WriteAllText(Path.Join(_dir, "one-line.conf"), "table ip f { chain input { type filter hook input priority 0; policy drop; } }\n");

        Has("default.conf").Should().BeFalse("chains that only declare their hook filter nothing");
        Has("accept-policy.conf").Should().BeFalse("an accept policy with no rule filters nothing");
        Has("one-line.conf").Should().BeTrue("a drop policy is a rule");
        FirewallConfig.NftablesHasRules("/etc/nftables.conf", p => Path.Join(HostParsersTests.HostRoot, p)).Should().BeTrue();
    }

    [Fact]
    public void NftablesIncludesAndCommandsCount()
    {
        var etc = Directory.CreateDirectory(Path.Join(_dir, "etc")).FullName;
        Directory.CreateDirectory(Path.Join(etc, "nftables.d"));
        File.WriteAllText(Path.Join(etc, "nftables.conf"), DebianDefault + "\ninclude \"/etc/nftables.d/*.nft\"\n");
        File.WriteAllText(Path.Join(etc, "nftables.d", "node.nft"), "add rule inet filter input tcp dport 8332 drop # bitcoind's RPC\n");
        File.WriteAllText(Path.Join(etc, "commented.conf"), DebianDefault + "\n# add rule inet filter input drop\n");

        FirewallConfig.NftablesHasRules("/etc/nftables.conf", p => Path.Join(_dir, p)).Should().BeTrue("the included file adds a rule");
        FirewallConfig.NftablesHasRules("/etc/commented.conf", p => Path.Join(_dir, p)).Should().BeFalse("a comment is not a rule");
    }

    [Fact]
    public void IptablesSaveFilesHaveRulesWhenAnAppendOrADropPolicyIsThere()
    {
        string[] empty = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", "COMMIT"];

        FirewallConfig.IptablesHasRules(empty).Should().BeFalse();
        FirewallConfig.IptablesHasRules(File.ReadLines(Path.Join(HostParsersTests.HostRoot, "etc", "iptables", "rules.v4"))).Should().BeTrue();
        FirewallConfig.IptablesHasRules(["*filter", ":INPUT DROP [12:3400]", "COMMIT"]).Should().BeTrue();
    }

    [Fact]
    public void AUnitIsEnabledWhenAWantsDirectoryLinksIt()
    {
        var system = Directory.CreateDirectory(Path.Join(_dir, "system")).FullName;
        FirewallConfig.EnabledAtBoot(system, "nftables.service").Should().BeFalse();

        var wants = Directory.CreateDirectory(Path.Join(system, "sysinit.target.wants")).FullName;
        File.CreateSymbolicLink(Path.Join(wants, "nftables.service"), "/lib/systemd/system/nftables.service-nowhere");

        FirewallConfig.EnabledAtBoot(system, "nftables.service").Should().BeTrue("systemctl enable's link, even when its target is outside the tree read");
        FirewallConfig.EnabledAtBoot(system, "netfilter-persistent.service").Should().BeFalse();
    }

    private bool Has(string file) => FirewallConfig.NftablesHasRules("/" + file, p => Path.Join(_dir, p));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
