namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>A matcher of Alertmanager's API v2 (api/v2/openapi.yaml, definitions.matcher).</summary>
internal sealed record SilenceMatcher(string Name, string Value, bool IsRegex, bool IsEqual);
