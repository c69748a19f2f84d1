using System.Text.Json.Serialization;

namespace NodeHelper.Exporter.Status;

/// <summary>
/// What <c>/api/v1/status</c> answers and the page at <c>/</c> shows: one model, two renderings (docs/status-api.md).
/// Version 1: fields are only ever added; a change of meaning is a new version at a new path.
/// </summary>
internal sealed record StatusDocument(
    int Version,
    DateTimeOffset GeneratedAt,
    string NodeHelperVersion,
    StatusVerdict Verdict,
    IReadOnlyList<ComponentStatus> Components,
    AlertsSection Alerts,
    HistorySection History,
    double RefreshSeconds);

/// <summary>The first line: healthy, needs_attention, problems or cannot_tell, and the reasons, worst first.</summary>
internal sealed record StatusVerdict(string Level, string Headline, IReadOnlyList<string> Reasons);

/// <summary>
/// One enabled collector: state up (answered this reading), down (its upstream did not), or failing (a collector
/// without an upstream of its own, host or services, could not read); since when, as far as this process saw.
/// Tone: the worst of its state and of the alerts with its scope.
/// </summary>
internal sealed record ComponentStatus(
    string Name,
    string Title,
    string Description,
    string State,
    DateTimeOffset? Since,
    bool SinceFirstReading,
    string? Problem,
    string Tone,
    IReadOnlyList<StatusFact> Facts);

/// <summary>
/// One figure of a card: a stable key, a label, the raw value in base units (null for a text), the unit, the text
/// the page shows, and its tone (neutral, good, attention, bad).
/// </summary>
internal sealed record StatusFact(string Key, string Label, double? Value, string? Unit, string Text, string Tone);

/// <summary>The firing alerts: Source alertmanager, prometheus or none; Problem when they could not be read.</summary>
internal sealed record AlertsSection(string Source, string? Problem, bool CanSilence, IReadOnlyList<AlertItem> Items, IReadOnlyList<SilenceItem> Silences, string? Hint);

internal sealed record AlertItem(string Fingerprint, string Name, string Severity, string Scope, string Summary, DateTimeOffset? Since, string State,
    IReadOnlyList<string> SilencedBy, string? RunbookUrl, IReadOnlyDictionary<string, string> Labels);

internal sealed record SilenceItem(string Id, string Matchers, DateTimeOffset EndsAt, string CreatedBy, string Comment);

/// <summary>The last 24 hours from Prometheus, when Status:PrometheusUrl is set.</summary>
internal sealed record HistorySection(string? Problem, DateTimeOffset? ReadAt, IReadOnlyList<SparklineItem> Sparklines, IReadOnlyList<ForecastItem> Forecasts);

/// <summary>Points as [unix seconds, value]; null values are gaps.</summary>
internal sealed record SparklineItem(string Key, string Title, string Latest, string Low, string High, IReadOnlyList<double?[]> Points);

internal sealed record ForecastItem(string Component, string Path, double? DaysUntilFull, string Text);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(StatusDocument))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
