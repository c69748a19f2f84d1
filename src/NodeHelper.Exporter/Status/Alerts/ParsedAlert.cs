namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>An alert as shown, with its labels as the upstream sent them (unclipped): a silence must match them exactly.</summary>
internal sealed record ParsedAlert(StatusAlert Alert, IReadOnlyDictionary<string, string> Labels);
