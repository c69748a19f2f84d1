using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Tests.Configuration;

/// <summary>Backups:Items:&lt;name&gt;: named sub-sections, each read and checked, every problem named by its key.</summary>
public sealed class BackupsSettingsTests
{
    private static ExporterSettings Load(params string[] args) => ExporterSettings.Load(new ConfigurationBuilder().AddCommandLine(args).Build());

    [Fact]
    public void EachNamedItemIsReadWithItsOwnSettings()
    {
        var settings = Load(
            "--Backups:Items:channel_backup:Path=/mnt/usb/channel.backup", "--Backups:Items:channel_backup:CopyOf=/var/lib/lnd/channel.backup",
            "--backups:items:restic:path=/var/lib/node_exporter/textfile/restic.prom", "--Backups:Items:restic:MaxAgeHours=26.5");

        settings.Backups.Items.Should().HaveCount(2);
        var channel = settings.Backups.Items["channel_backup"];
        channel.Path.Should().Be("/mnt/usb/channel.backup");
        channel.CopyOf.Should().Be("/var/lib/lnd/channel.backup");
        channel.MaxAgeSeconds.Should().BeNull("no age limit unless one is given");
        var restic = settings.Backups.Items["restic"];
        restic.MaxAgeSeconds.Should().Be(26.5 * 3600);
        restic.CopyOf.Should().BeNull();
        restic.IsTextfile.Should().BeTrue();
        settings.Backups.CompareMaxBytes.Should().Be(256 * 1024 * 1024);
    }

    [Fact]
    public void NoItemMeansNoBackups()
    {
        Load().Backups.Items.Should().BeEmpty();
    }

    [Theory]
    [InlineData("--Backups:Items:lnd:MaxAgeHours=0", "Backups:Items:lnd:MaxAgeHours: '0' is not a positive number of hours (at most 8784).")]
    [InlineData("--Backups:Items:lnd:MaxAgeHours=-3", "Backups:Items:lnd:MaxAgeHours: '-3' is not a positive number of hours*")]
    [InlineData("--Backups:Items:lnd:MaxAgeHours=NaN", "Backups:Items:lnd:MaxAgeHours: 'NaN' is not a positive number of hours*")]
    [InlineData("--Backups:Items:lnd:MaxAgeHours=a day", "Backups:Items:lnd:MaxAgeHours: 'a day' is not a positive number of hours*")]
    [InlineData("--Backups:Items:lnd:Path=", "Backups:Items:lnd:Path: is required and empty or missing.")]
    [InlineData("--Backups:Items:lnd:Path= ", "Backups:Items:lnd:Path: is required and empty or missing.")]
    [InlineData("--Backups:Items:lnd:CopyOf=/var/lib/lnd/channel.backup", "Backups:Items:lnd:Path: is required and empty or missing.")]
    [InlineData("--Backups:Items:lnd-usb:Path=/mnt/usb/channel.backup", "Backups:Items:lnd-usb: the name must be letters, digits and _ (it is also part of an environment variable's name).")]
    [InlineData("--Backups:Items:lnd:Pth=/mnt/usb/channel.backup", "Backups:Items:lnd:Pth: unknown setting. Backups knows: Items:<name>:Path, Items:<name>:MaxAgeHours, Items:<name>:CopyOf, CompareMaxBytes.")]
    [InlineData("--Backups:Items:lnd=/mnt/usb/channel.backup", "Backups:Items:lnd: unknown setting.*")]
    [InlineData("--Backups:Path=/mnt/usb/channel.backup", "Backups:Path: unknown setting.*")]
    [InlineData("--Backups:CompareMaxBytes=-1", "Backups:CompareMaxBytes: '-1' is not a whole number from 0 to 2147483647.")]
    public void AWrongBackupSettingIsNamedByItsKey(string argument, string problem)
    {
        var load = () => Load(argument);

        load.Should().Throw<SettingsException>().Which.Problems.Should().ContainMatch(problem);
    }

    [Fact]
    public void TheItemsSettingsAreCataloguedOnceWithThePlaceholderForHelpAndTheReadme()
    {
        var catalog = ExporterSettings.DescribeAll();

        catalog.Where(s => s.Key.StartsWith("Backups:", StringComparison.Ordinal)).Select(s => (s.Key, s.Default)).Should().Equal(
            ("Backups:Items:<name>:Path", "(required)"), ("Backups:Items:<name>:MaxAgeHours", "(none)"), ("Backups:Items:<name>:CopyOf", "(empty)"),
            ("Backups:CompareMaxBytes", "268435456"));
        HelpText.Render().Should().Contain("Backups:Items:<name>:MaxAgeHours");
    }

    [Fact]
    public void CheckConfigShowsEachItemsSettingsAndWhereTheyCameFrom()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(["--Backups:Items:restic:Path=/srv/restic.prom"]).Build();

        var text = ConfigCheck.Render(ExporterSettings.Load(configuration), configuration);

        text.Should().MatchRegex(@"Backups:Items:restic:Path\s+/srv/restic.prom\s+\(command line\)");
        text.Should().MatchRegex(@"Backups:Items:restic:MaxAgeHours\s+\(none\)\s+\(default\)");
        text.Should().NotContain("Backups:Items:<name>", "the placeholder stands for the names written, and one is");
    }
}
