using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>
/// Alertmanager's and Prometheus's alert answers into what the page shows. An answer of the wrong shape, even one item
/// of it, is a <see cref="FormatException"/>: a page that said "no alerts" because it could not read them would lie.
/// </summary>
internal static class AlertParser
{
    /// <summary>Longer strings are clipped for the page (labels used for a silence stay whole, in <see cref="ParsedAlert.Labels"/>).</summary>
    public const int MaxText = 1000;

    /// <summary>GET api/v2/alerts: an array of gettableAlert (api/v2/openapi.yaml). Unprocessed alerts are left out.</summary>
    public static List<ParsedAlert> AlertmanagerAlerts(JsonElement root)
    {
        var alerts = new List<ParsedAlert>();
        foreach (var item in Array(root, "the alerts"))
        {
            var fingerprint = String(item, "fingerprint");
            var labels = LabelSet(item, "labels");
            var annotations = item.TryGetProperty("annotations", out _) ? LabelSet(item, "annotations") : new Dictionary<string, string>();
            var status = Object(item, "status");
            var silencedBy = Strings(status, "silencedBy");
            _ = Strings(status, "inhibitedBy"); // required by the API; "suppressed" without a silence is enough to say inhibited
            var state = String(status, "state") switch
            {
                "active" => "firing",
                "suppressed" when silencedBy.Count > 0 => "silenced",
                "suppressed" => "inhibited",
                "unprocessed" => null,
                var other => throw new FormatException($"unknown alert state {UpstreamException.Clip(other, 40)}"),
            };
            if (state is null)
            {
                continue;
            }

            var since = item.TryGetProperty("startsAt", out var startsAt) ? Time(startsAt) : null;
            alerts.Add(Make(UpstreamException.Clip(fingerprint, 100), labels, annotations, since, state, silencedBy));
        }

        return alerts;
    }

    /// <summary>GET api/v1/alerts of Prometheus: {"status":"success","data":{"alerts":[...]}}; firing and pending.</summary>
    public static List<ParsedAlert> PrometheusAlerts(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String
            || status.GetString() != "success")
        {
            throw new FormatException("not a successful answer of Prometheus's API");
        }

        var alerts = new List<ParsedAlert>();
        foreach (var item in Array(Object(Object(root, "data"), "alerts", JsonValueKind.Array), "the alerts"))
        {
            var labels = LabelSet(item, "labels");
            var annotations = item.TryGetProperty("annotations", out _) ? LabelSet(item, "annotations") : new Dictionary<string, string>();
            var state = String(item, "state");
            if (state is not ("firing" or "pending"))
            {
                continue;
            }

            var since = item.TryGetProperty("activeAt", out var activeAt) ? Time(activeAt) : null;
            alerts.Add(Make(Fingerprint(labels), labels, annotations, since, state, []));
        }

        return alerts;
    }

    /// <summary>GET api/v2/silences: an array of gettableSilence; only the active ones.</summary>
    public static List<StatusSilence> ActiveSilences(JsonElement root, string instance)
    {
        var silences = new List<StatusSilence>();
        foreach (var item in Array(root, "the silences"))
        {
            var id = String(item, "id");
            var state = String(Object(item, "status"), "state");
            var matchers = Array(Object(item, "matchers", JsonValueKind.Array), "the matchers")
                .Select(m => (Name: String(m, "name"), Value: String(m, "value"), IsRegex: Bool(m, "isRegex", null), IsEqual: Bool(m, "isEqual", true)))
                .ToList();
            var endsAt = Time(Property(item, "endsAt")) ?? throw new FormatException("a silence without endsAt");
            var createdBy = item.TryGetProperty("createdBy", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : "";
            var comment = item.TryGetProperty("comment", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : "";
            if (state != "active")
            {
                continue;
            }

            // Another node's silence (an instance matcher for another instance) is not this page's business.
            if (instance.Length > 0 && matchers.Any(m => m.Name == "instance" && m.IsEqual && !m.IsRegex && m.Value != instance))
            {
                continue;
            }

            var text = "{" + string.Join(", ", matchers.Select(m => $"{m.Name}{Operator(m.IsRegex, m.IsEqual)}\"{m.Value}\"")) + "}";
            silences.Add(new StatusSilence(UpstreamException.Clip(id, 100), UpstreamException.Clip(text, MaxText), endsAt,
                UpstreamException.Clip(createdBy, 200), UpstreamException.Clip(comment, MaxText)));
        }

        return [.. silences.OrderBy(s => s.EndsAt).ThenBy(s => s.Id, StringComparer.Ordinal)];
    }

    /// <summary>The order of the page: critical, warning, info, anything else; then the oldest first (unknown start last).</summary>
    public static List<ParsedAlert> Sorted(IEnumerable<ParsedAlert> alerts) =>
    [
        .. alerts
            .OrderBy(a => SeverityRank(a.Alert.Severity))
            .ThenBy(a => a.Alert.Since ?? DateTimeOffset.MaxValue)
            .ThenBy(a => a.Alert.Name, StringComparer.Ordinal)
            .ThenBy(a => a.Alert.Fingerprint, StringComparer.Ordinal),
    ];

    /// <summary>
    /// A stable identity for a Prometheus alert, which has no fingerprint of its own: SHA-256 of the labels sorted by
    /// name, each as name, NUL, value, NUL; the first 16 hexadecimal digits.
    /// </summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('\0').Append(value).Append('\0');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static int SeverityRank(string severity) => severity switch
    {
        "critical" => 0,
        "warning" => 1,
        "info" => 2,
        _ => 3,
    };

    private static ParsedAlert Make(string fingerprint, Dictionary<string, string> labels, Dictionary<string, string> annotations, DateTimeOffset? since,
        string state, IReadOnlyList<string> silencedBy)
    {
        var shown = labels.ToDictionary(l => UpstreamException.Clip(l.Key, 200), l => UpstreamException.Clip(l.Value, MaxText), StringComparer.Ordinal);
        var alert = new StatusAlert(
            fingerprint,
            UpstreamException.Clip(labels.GetValueOrDefault("alertname"), 200),
            UpstreamException.Clip(labels.GetValueOrDefault("severity"), 100),
            UpstreamException.Clip(labels.GetValueOrDefault("scope"), 200),
            UpstreamException.Clip(annotations.GetValueOrDefault("summary"), MaxText),
            since,
            state,
            [.. silencedBy.Select(id => UpstreamException.Clip(id, 100))],
            Runbook(annotations.GetValueOrDefault("runbook_url")),
            shown);
        return new ParsedAlert(alert, labels);
    }

    private static Uri? Runbook(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.UserInfo.Length == 0
            ? url
            : null;

    private static string Operator(bool isRegex, bool isEqual) => (isRegex, isEqual) switch
    {
        (false, true) => "=",
        (false, false) => "!=",
        (true, true) => "=~",
        (true, false) => "!~",
    };

    /// <summary>
    /// An RFC 3339 time; Prometheus writes nanoseconds, which .NET does not parse, so the fraction is cut to 7 digits.
    /// Go's zero time (year 1) means "not set".
    /// </summary>
    private static DateTimeOffset? Time(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new FormatException("a time that is not a string");
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            throw new FormatException($"not a time: {UpstreamException.Clip(text, 40)}");
        }

        return time.Year <= 1 ? null : time;
    }

    private static JsonElement Property(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) ? value : throw new FormatException($"no {name}");

    private static JsonElement Object(JsonElement item, string name, JsonValueKind kind = JsonValueKind.Object)
    {
        var value = Property(item, name);
        return value.ValueKind == kind ? value : throw new FormatException($"{name} is not a JSON {kind}");
    }

    private static string String(JsonElement item, string name)
    {
        var value = Property(item, name);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{name} is not a string");
    }

    private static bool Bool(JsonElement item, string name, bool? missing)
    {
        if (!item.TryGetProperty(name, out var value) && missing is { } fallback)
        {
            return fallback;
        }

        return Property(item, name).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new FormatException($"{name} is not a boolean"),
        };
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray() : throw new FormatException($"{what} are not a JSON array");

    private static List<string> Strings(JsonElement item, string name)
    {
        var value = Property(item, name);
        if (value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return [.. Array(value, name).Select(s => s.ValueKind == JsonValueKind.String ? s.GetString()! : throw new FormatException($"{name} holds a non-string"))];
    }

    private static Dictionary<string, string> LabelSet(JsonElement item, string name)
    {
        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in Object(item, name).EnumerateObject())
        {
            set[label.Name] = label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString()! : throw new FormatException($"{name} holds a non-string");
        }

        return set;
    }
}
