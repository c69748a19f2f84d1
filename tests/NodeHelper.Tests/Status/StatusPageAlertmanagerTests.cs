using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Bundle;
using NodeHelper.Tests.Support;
using Xunit.Abstractions;

namespace NodeHelper.Tests.Status;

/// <summary>
/// The status page with Debian's Alertmanager and Prometheus evaluating the shipped rules over the simulated
/// bitcoind: a firing alert is listed, a silence made from the page is Alertmanager's, and the alert then shows as
/// silenced; without the exporter's password the form is a 401.
/// </summary>
[Collection(AlertingEndToEndTests.Collection)]
public sealed partial class StatusPageAlertmanagerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task APageSilenceIsAlertmanagersAndTheAlertShowsSilenced()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        bitcoind.State.Warnings = [];
        bitcoind.State.SetPeerCount(10);
        using var web = new WebConfigFiles();
        var password = WebConfigFiles.RandomPassword();
        var config = web.Write(WebConfigFiles.Users(("operator", WebConfigFiles.Hash(password))));
        await using var smtp = await RealServers.StartSmtpSinkAsync(Directory.CreateTempSubdirectory("nodehelper-status-smtp-").FullName);
        await using var alertmanager = await RealServers.StartAlertmanagerAsync(AlertingEndToEndTests.AlertmanagerCopy(smtp.Port));
        await using var exporter = await ExporterUnderTest.StartAsync(
        [
            .. ExporterUnderTest.For(bitcoind), $"--Web:ConfigFile={config}", $"--Status:AlertmanagerUrl={alertmanager.Url}",
            "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false",
        ]);
        exporter.Http.DefaultRequestHeaders.Authorization = WebConfigFiles.Basic("operator", password);
        // The form's answer is a 303 back to the page, kept here to be looked at (a followed redirect drops the password).
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = exporter.BaseUrl };
        browser.DefaultRequestHeaders.Authorization = WebConfigFiles.Basic("operator", password);
        await using var prometheus = await RealServers.StartPrometheusAsync(AlertingEndToEndTests.PrometheusCopy(exporter.BaseUrl.Authority, alertmanager.Port,
            c => NodeHelperJob().Replace(c, $"$0    basic_auth:\n      username: operator\n      password: {password}\n", 1)));
        try
        {
            bitcoind.State.Fault = BitcoindFault.Http500;
            await Eventually.TrueAsync("the page lists NodeHelperBitcoindDown, firing", Within, async () =>
                (await StatusAsync(exporter))["alerts"]!["items"]!.AsArray().Any(a => Name(a) == "NodeHelperBitcoindDown" && State(a) == "firing"));

            var html = await exporter.Http.GetStringAsync("");
            html.Should().Contain("data-alert=\"NodeHelperBitcoindDown\" data-state=\"firing\"")
                .And.Contain($"href=\"{new Uri(prometheus.Url, "consoles/nodehelper-runbook.html#nodehelperbitcoinddown")}\"", "each alert links to its runbook section")
                .And.Contain("<form method=\"post\" action=\"status/silences\">");
            var status = await StatusAsync(exporter);
            status["verdict"]!["level"]!.GetValue<string>().Should().Be("problems");
            var alert = status["alerts"]!["items"]!.AsArray().First(a => Name(a) == "NodeHelperBitcoindDown")!;
            var form = new Dictionary<string, string>
            {
                ["fingerprint"] = alert["fingerprint"]!.GetValue<string>(),
                ["duration"] = "4h",
                ["comment"] = "moving bitcoind to the new disk",
            };

            using (var anonymous = new HttpClient { BaseAddress = exporter.BaseUrl })
            using (var refused = await anonymous.PostAsync("status/silences", new FormUrlEncodedContent(form)))
            {
                refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "silencing needs the exporter's password");
            }

            (await SilencesAsync(alertmanager)).Should().BeEmpty("the refused form made no silence");
            using (var made = await browser.PostAsync("status/silences", new FormUrlEncodedContent(form)))
            {
                made.StatusCode.Should().Be(HttpStatusCode.SeeOther);
                made.Headers.Location!.OriginalString.Should().Be("../#alerts");
            }

            var silence = (await SilencesAsync(alertmanager)).Should().ContainSingle().Subject;
            silence["comment"]!.GetValue<string>().Should().Be("moving bitcoind to the new disk");
            silence["createdBy"]!.GetValue<string>().Should().Contain("operator").And.NotContain(password);
            silence["matchers"]!.AsArray().Should().Contain(m => m!["name"]!.GetValue<string>() == "alertname" && m["value"]!.GetValue<string>() == "NodeHelperBitcoindDown");
            var ends = DateTimeOffset.Parse(silence["endsAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            ends.Should().BeCloseTo(DateTimeOffset.UtcNow.AddHours(4), TimeSpan.FromMinutes(2));

            await Eventually.TrueAsync("the page shows the alert silenced, by that silence", Within, async () =>
                (await StatusAsync(exporter))["alerts"]!["items"]!.AsArray().Any(a => Name(a) == "NodeHelperBitcoindDown" && State(a) == "silenced"
                    && a!["silencedBy"]!.AsArray().Any(id => id!.GetValue<string>() == silence["id"]!.GetValue<string>())));
            (await exporter.Http.GetStringAsync("")).Should().Contain("data-alert=\"NodeHelperBitcoindDown\" data-state=\"silenced\"")
                .And.Contain($"data-silence=\"{silence["id"]}\"");

            // Ending it from the page.
            using (var ended = await browser.PostAsync("status/silences/expire",
                       new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = silence["id"]!.GetValue<string>() })))
            {
                ended.StatusCode.Should().Be(HttpStatusCode.SeeOther);
            }

            (await SilencesAsync(alertmanager)).Should().BeEmpty("the silence was ended");
            await Eventually.TrueAsync("the alert is firing again on the page", Within, async () =>
                (await StatusAsync(exporter))["alerts"]!["items"]!.AsArray().Any(a => Name(a) == "NodeHelperBitcoindDown" && State(a) == "firing"));
        }
        catch
        {
            output.WriteLine($"Prometheus:\n{prometheus.Output}\nAlertmanager:\n{alertmanager.Output}");
            output.WriteLine("Exporter's log:\n" + exporter.Logs.All);
            throw;
        }
    }

    private static async Task<JsonNode> StatusAsync(ExporterUnderTest exporter) => JsonNode.Parse(await exporter.Http.GetStringAsync("api/v1/status"))!;

    /// <summary>Alertmanager's active silences, read from its own API.</summary>
    private static async Task<IReadOnlyList<JsonNode>> SilencesAsync(ServerProcess alertmanager) =>
        [.. JsonNode.Parse(await Http.GetStringAsync(new Uri(alertmanager.Url, "api/v2/silences")))!.AsArray()
            .Where(s => s!["status"]!["state"]!.GetValue<string>() == "active").Select(s => s!)];

    private static string? Name(JsonNode? alert) => alert?["name"]?.GetValue<string>();

    private static string? State(JsonNode? alert) => alert?["state"]?.GetValue<string>();

    [GeneratedRegex(@"- job_name: nodehelper[^\n]*\n")]
    private static partial Regex NodeHelperJob();
}
