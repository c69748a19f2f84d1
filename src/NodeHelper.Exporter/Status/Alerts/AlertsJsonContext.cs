using System.Text.Json.Serialization;

namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>Source-generated writing of the one body NodeHelper sends Alertmanager (answers are read with JsonDocument).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PostableSilence))]
internal sealed partial class AlertsJsonContext : JsonSerializerContext;
