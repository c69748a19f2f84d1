using NodeHelper.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// compose.yml, the whole monitoring stack in containers: valid for Compose (Debian's docker-compose validates it
/// without an engine), and keeping the promises its header makes: loopback only, no host / mounted, /proc and /sys
/// read-only, no root, secrets as files, and the shipped bundle files mounted where the programs read them.
/// </summary>
public sealed class ComposeTests
{
    private static readonly string ComposeFile = Repository.PathOf("compose.yml");

    [Fact]
    public async Task DockerComposeConfigAcceptsIt()
    {
        var compose = ExternalProcess.Require("docker-compose", "run `make test`, which installs Debian's docker-compose");

        var result = await ExternalProcess.RunAsync(compose, ["-f", ComposeFile, "config", "-q"]);

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardError.Should().BeEmpty();
    }

    [Fact]
    public void EveryProgramListensOnLoopbackOnlyAndNoneRunsAsRootOrMayGainPrivileges()
    {
        foreach (var (name, service) in Services())
        {
            service.Children.Should().NotContainKey(new YamlScalarNode("ports"), $"{name} publishes nothing: it is on the host's network, on loopback");
            ((YamlScalarNode)service["network_mode"]).Value.Should().Be("host", name);
            ((YamlScalarNode)service["user"]).Value.Should().NotBeNullOrEmpty().And.NotStartWith("0", $"{name} does not run as root");
            Strings(service["security_opt"]).Should().Contain("no-new-privileges:true", name);
            Strings(service["cap_drop"]).Should().Equal(["ALL"], name);
        }

        var listens = Services().SelectMany(s => Strings(Child(s.Service, "command")))
            .Where(a => a.StartsWith("--web.listen-address=", StringComparison.Ordinal));
        listens.Should().HaveCount(2).And.OnlyContain(a => a.StartsWith("--web.listen-address=127.0.0.1:", StringComparison.Ordinal));
        Environment("nodehelper")["NODEHELPER_urls"].Should().StartWith("http://127.0.0.1:");
        Environment("grafana")["GF_SERVER_HTTP_ADDR"].Should().Be("127.0.0.1");
    }

    [Fact]
    public void NoHostRootIsMountedProcAndSysOnlyReadOnlyAndTheBundleFilesExist()
    {
        foreach (var (name, service) in Services())
        {
            foreach (var volume in Strings(Child(service, "volumes")))
            {
                var source = volume.Split(':')[0];
                source.Should().NotBe("/", $"{name} mounts no host root");
                if (source is "/proc" or "/sys")
                {
                    volume.Should().EndWith(":ro", $"{name}: {source} read-only");
                    name.Should().Be("nodehelper", "only the exporter needs the host's /proc and /sys");
                }

                if (source.StartsWith("./", StringComparison.Ordinal) && !source.StartsWith("./secrets/", StringComparison.Ordinal))
                {
                    Path.Exists(Repository.PathOf(source[2..])).Should().BeTrue($"{name} mounts {source}, which the bundle ships");
                    volume.Should().EndWith(":ro", $"{name} reads the shipped {source}, never writes it");
                }
            }
        }

        Environment("grafana")["GF_SECURITY_ADMIN_PASSWORD__FILE"].Should().StartWith("/run/secrets/", "secrets are files, not variables");
        File.ReadAllText(ComposeFile).Should().Contain("# NODEHELPER_Report__Smtp__PasswordFile: /run/secrets/smtp-password",
            "the report's password, once enabled, is a secret file too");
    }

    [Fact]
    public async Task TheExportersSettingsInComposeOverTheImagesAreValid()
    {
        // What the container starts with: the image's environment, then compose.yml's (which wins), read by the
        // binary in the image. A setting it refuses would stop the container at every start (restart: unless-stopped).
        var image = ReleaseArtifacts.Image("amd64");
        var manifest = await ExternalProcess.RunAsync("tar", ["-xOf", image, "manifest.json"]);
        var configName = System.Text.Json.JsonDocument.Parse(manifest.StandardOutput).RootElement[0].GetProperty("Config").GetString()!;
        var config = await ExternalProcess.RunAsync("tar", ["-xOf", image, configName]);
        var environment = System.Text.Json.JsonDocument.Parse(config.StandardOutput).RootElement.GetProperty("config").GetProperty("Env")
            .EnumerateArray().Select(e => e.GetString()!.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        foreach (var (key, value) in Environment("nodehelper"))
        {
            environment[key] = value;
        }

        var check = await ExternalProcess.RunAsync(ReleaseArtifacts.Binary("linux-x64"), ["--check-config"], environment: environment);

        check.ExitCode.Should().Be(0, check.StandardOutput + check.StandardError);
        check.StandardOutput.Should().Contain("NODEHELPER_Bitcoind__CookieFile");
    }

    [Fact]
    public void TheExporterImageIsTheOneMakeImageBuilds()
    {
        var image = ((YamlScalarNode)Services().Single(s => s.Name == "nodehelper").Service["image"]).Value;

        image.Should().Be($"nodehelper:{ReleaseArtifacts.Version}", "docker load of make image's archive gives this name");
    }

    private static IEnumerable<(string Name, YamlMappingNode Service)> Services()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(ComposeFile))
        {
            stream.Load(reader);
        }

        var services = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"];
        return services.Children.Select(p => (((YamlScalarNode)p.Key).Value!, (YamlMappingNode)p.Value));
    }

    private static Dictionary<string, string> Environment(string service) =>
        ((YamlMappingNode)Services().Single(s => s.Name == service).Service["environment"]).Children
            .ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static List<string> Strings(YamlNode? node) =>
        node is YamlSequenceNode sequence ? sequence.Children.Select(c => ((YamlScalarNode)c).Value!).ToList() : [];
}
