namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>The body of POST api/v2/silences (api/v2/openapi.yaml, definitions.postableSilence, without an id: a new one).</summary>
internal sealed record PostableSilence(IReadOnlyList<SilenceMatcher> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string CreatedBy, string Comment);
