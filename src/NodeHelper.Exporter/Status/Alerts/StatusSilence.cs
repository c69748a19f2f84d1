namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>An active silence of Alertmanager.</summary>
/// <param name="Matchers">Its matchers as amtool writes them: <c>{alertname="X", instance="node1:9338"}</c>.</param>
internal sealed record StatusSilence(string Id, string Matchers, DateTimeOffset EndsAt, string CreatedBy, string Comment);
