using System.Text.Json.Nodes;
using NodeHelper.Exporter.Status;
using NodeHelper.Exporter.Status.Alerts;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Status;

/// <summary>
/// The status page's alerts from a real Alertmanager (Debian's): alerts posted into it directly, listed, silenced by
/// the page and the silence ended again. Each test's alerts carry an instance of their own, which is also the
/// page's Status:Instance, so the tests share one Alertmanager without seeing each other's alerts.
/// </summary>
public sealed class AlertSourceTests(RealAlertmanager alertmanager) : IClassFixture<RealAlertmanager>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ListsThisInstancesAlertsFiringWithSummarySeverityAndRunbookInSeverityThenAgeOrder()
    {
        var instance = NewInstance();
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        await PostAsync(instance, "TestWarningOld", "warning", start, summary: "old <script>alert(1)</script> warning");
        await PostAsync(instance, "TestCritical", "critical", start.AddMinutes(10));
        await PostAsync(instance, "TestInfo", "info", start.AddMinutes(-5));
        await PostAsync(instance, "TestWarningNew", "warning", start.AddMinutes(5));
        await PostAsync(instance, "TestOther", "page", start.AddMinutes(-20));
        await PostAsync(NewInstance(), "TestSomeoneElse", "critical", start);
        var source = Source(instance);

        AlertsView view = null!;
        await Eventually.TrueAsync("Alertmanager lists the five alerts", Within, async () => (view = await source.GetAsync(default)).Alerts.Count == 5);

        view.Source.Should().Be("alertmanager");
        view.Problem.Should().BeNull();
        view.CanSilence.Should().BeTrue();
        view.Alerts.Select(a => a.Name).Should().Equal("TestCritical", "TestWarningOld", "TestWarningNew", "TestInfo", "TestOther");
        var critical = view.Alerts[0];
        critical.State.Should().Be("firing");
        critical.Severity.Should().Be("critical");
        critical.Scope.Should().Be("bitcoind");
        critical.Summary.Should().Be("TestCritical is firing");
        critical.RunbookUrl.Should().Be(new Uri("https://runbook.example/nodehelper#TestCritical"));
        critical.Since.Should().BeCloseTo(start.AddMinutes(10), TimeSpan.FromSeconds(1));
        critical.SilencedBy.Should().BeEmpty();
        critical.Fingerprint.Should().MatchRegex("^[0-9a-f]{16}$");
        critical.Labels.Should().Contain("instance", instance).And.Contain("alertname", "TestCritical");
        // Kept verbatim: the page escapes it.
        view.Alerts[1].Summary.Should().Be("old <script>alert(1)</script> warning");
    }

    [Fact]
    public async Task SilencingAnAlertMatchesEveryLabelAndExpiringTheSilenceMakesItFireAgain()
    {
        var instance = NewInstance();
        await PostAsync(instance, "TestSilenceMe", "warning", DateTimeOffset.UtcNow.AddMinutes(-1));
        var source = Source(instance);
        StatusAlert alert = null!;
        await Eventually.TrueAsync("the alert is listed", Within, async () => (await source.GetAsync(default)).Alerts is [var only] && (alert = only) is not null);

        var id = await source.SilenceAsync(alert.Fingerprint, TimeSpan.FromHours(2), "replacing the disk", "tester", default);

        var silence = (await alertmanager.SilencesAsync()).Single(s => s!["id"]!.GetValue<string>() == id)!;
        silence["status"]!["state"]!.GetValue<string>().Should().Be("active");
        silence["createdBy"]!.GetValue<string>().Should().Be("tester");
        silence["comment"]!.GetValue<string>().Should().Be("replacing the disk");
        DateTimeOffset.Parse(silence["endsAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow.AddHours(2), TimeSpan.FromMinutes(1));
        var matchers = silence["matchers"]!.AsArray()
            .Select(m => (Name: m!["name"]!.GetValue<string>(), Value: m["value"]!.GetValue<string>(), Regex: m["isRegex"]!.GetValue<bool>(),
                Equal: m["isEqual"]?.GetValue<bool>() ?? true));
        matchers.Should().BeEquivalentTo(alert.Labels.Select(l => (Name: l.Key, Value: l.Value, Regex: false, Equal: true)));

        AlertsView view = null!;
        await Eventually.TrueAsync("the alert shows as silenced", Within, async () => (view = await source.GetAsync(default)).Alerts is [{ State: "silenced" }]);
        view.Alerts[0].SilencedBy.Should().Equal(id);
        view.Silences.Should().ContainSingle(s => s.Id == id).Which.Matchers.Should().Contain($"instance=\"{instance}\"").And.Contain("alertname=\"TestSilenceMe\"");
        view.Silences.Single(s => s.Id == id).Comment.Should().Be("replacing the disk");

        await source.ExpireSilenceAsync(id, default);

        await Eventually.TrueAsync("the alert fires again", Within, async () => (view = await source.GetAsync(default)).Alerts is [{ State: "firing" }]);
        view.Silences.Should().NotContain(s => s.Id == id);
        (await alertmanager.SilencesAsync()).Single(s => s!["id"]!.GetValue<string>() == id)!["status"]!["state"]!.GetValue<string>().Should().Be("expired");
    }

    [Fact]
    public async Task AnInhibitedAlertShowsAsInhibited()
    {
        var instance = NewInstance();
        await PostAsync(instance, "TestInhibitor", "critical", DateTimeOffset.UtcNow.AddMinutes(-2));
        await PostAsync(instance, "TestHeldBack", "warning", DateTimeOffset.UtcNow.AddMinutes(-1), extra: ("inhibited", "yes"));
        var source = Source(instance);

        AlertsView view = null!;
        await Eventually.TrueAsync("the dependent alert is inhibited", Within, async () =>
            (view = await source.GetAsync(default)).Alerts.Any(a => a is { Name: "TestHeldBack", State: "inhibited" }));
        view.Alerts.Single(a => a.Name == "TestInhibitor").State.Should().Be("firing");
        view.Alerts.Single(a => a.Name == "TestHeldBack").SilencedBy.Should().BeEmpty();
    }

    [Fact]
    public async Task SilencingAnAlertThatIsGoneOrWithABadRequestSaysWhy()
    {
        var instance = NewInstance();
        await PostAsync(instance, "TestBadRequests", "warning", DateTimeOffset.UtcNow);
        var source = Source(instance);
        StatusAlert alert = null!;
        await Eventually.TrueAsync("the alert is listed", Within, async () => (await source.GetAsync(default)).Alerts is [var only] && (alert = only) is not null);

        await Refused(() => source.SilenceAsync("0123456789abcdef", TimeSpan.FromHours(1), "why", "tester", default), "that alert is no longer firing");
        await Refused(() => source.SilenceAsync(alert.Fingerprint, TimeSpan.FromSeconds(59), "why", "tester", default), "between 1 minute and 30 days");
        await Refused(() => source.SilenceAsync(alert.Fingerprint, TimeSpan.FromDays(31), "why", "tester", default), "between 1 minute and 30 days");
        await Refused(() => source.SilenceAsync(alert.Fingerprint, TimeSpan.FromHours(1), "  ", "tester", default), "the comment is empty");
        await Refused(() => source.SilenceAsync(alert.Fingerprint, TimeSpan.FromHours(1), new string('x', 501), "tester", default), "longer than 500");
        await Refused(() => source.ExpireSilenceAsync("../../api/v2/status", default), "not a silence id");
        await Refused(() => source.ExpireSilenceAsync(Guid.NewGuid().ToString(), default), "not one of this page's active silences");

        (await alertmanager.SilencesAsync()).Should().NotContain(s => s!["comment"]!.GetValue<string>() == "why");
    }

    [Fact]
    public void ABaseUrlWithAPathPrefixKeepsIt()
    {
        using var http = new HttpClient();
        new AlertUpstream(http, "Alertmanager", "Status:AlertmanagerUrl", new Uri("http://127.0.0.1:9093/alertmanager"), 3).BaseUrl
            .Should().Be(new Uri("http://127.0.0.1:9093/alertmanager/"));
        new Uri(new AlertUpstream(http, "Alertmanager", "Status:AlertmanagerUrl", new Uri("http://127.0.0.1:9093/am/"), 3).BaseUrl, "api/v2/alerts")
            .Should().Be(new Uri("http://127.0.0.1:9093/am/api/v2/alerts"));
    }

    private static async Task Refused(Func<Task> action, string said) =>
        (await action.Should().ThrowAsync<AlertActionException>()).Which.Message.Should().Contain(said);

    private AlertSource Source(string instance) =>
        new(alertmanager.Http, new StatusOptions { AlertmanagerUrl = alertmanager.Url, Instance = instance, TimeoutSeconds = 5 });

    private static string NewInstance() => $"node-{Guid.NewGuid():N}:9338";

    private Task PostAsync(string instance, string name, string severity, DateTimeOffset startsAt, string? summary = null, (string, string)? extra = null)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = name, ["severity"] = severity, ["scope"] = "bitcoind", ["instance"] = instance };
        if (extra is var (key, value))
        {
            labels[key] = value;
        }

        return alertmanager.PostAlertAsync(labels,
            new Dictionary<string, string> { ["summary"] = summary ?? $"{name} is firing", ["runbook_url"] = $"https://runbook.example/nodehelper#{name}" },
            startsAt);
    }
}
