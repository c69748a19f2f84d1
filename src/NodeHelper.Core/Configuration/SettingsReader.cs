using System.Globalization;

namespace NodeHelper.Core.Configuration;

/// <summary>
/// Reads typed settings out of <see cref="IConfiguration"/> and records every problem with the key named.
/// Every setting is declared once, through one of these methods, so that the same declaration gives parsing,
/// validation, the list of known keys (unknown ones are rejected), <c>--help</c> and the README table check.
/// Values of secret settings never appear in an error message.
/// </summary>
internal sealed class SettingsReader
{
    /// <summary>Stands for the name of a named sub-section in a declared key: Backups:Items:&lt;name&gt;:Path.</summary>
    public const string NamePlaceholder = "<name>";

    private static readonly IConfiguration Nothing = new ConfigurationBuilder().Build();

    private readonly IConfiguration _configuration;
    private readonly List<string> _errors;
    private readonly List<SettingInfo> _settings;

    public SettingsReader(IConfiguration configuration)
        : this(configuration, [], [])
    {
    }

    /// <summary>A reader that shares where declarations and problems go (see <see cref="Sections{T}"/>).</summary>
    private SettingsReader(IConfiguration configuration, List<SettingInfo> settings, List<string> errors)
    {
        _configuration = configuration;
        _settings = settings;
        _errors = errors;
    }

    public IReadOnlyList<string> Errors => _errors;

    public IReadOnlyList<SettingInfo> Settings => _settings;

    /// <param name="redact">For a value that may hold a secret: what of it may be shown (<c>--check-config</c>).</param>
    public string String(string key, string @default, string description, Func<string, string>? redact = null)
    {
        Declare(key, @default.Length == 0 ? "(empty)" : @default, description, redact: redact);
        return _configuration[key] ?? @default;
    }

    /// <summary>A secret: its value never reaches a log line, an error message or <c>--help</c>.</summary>
    public string Secret(string key, string description)
    {
        Declare(key, "(none)", description, isSecret: true);
        return _configuration[key] ?? "";
    }

    public bool Bool(string key, bool @default, string description)
    {
        Declare(key, @default ? "true" : "false", description);
        var raw = _configuration[key];
        if (raw is null)
        {
            return @default;
        }

        if (bool.TryParse(raw.Trim(), out var value))
        {
            return value;
        }

        Fail(key, $"'{raw}' is not true or false.");
        return @default;
    }

    public double Seconds(string key, double @default, double min, double max, string description)
    {
        Declare(key, @default.ToString(CultureInfo.InvariantCulture), description);
        var raw = _configuration[key];
        if (raw is null)
        {
            return @default;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Fail(key, $"'{raw}' is not a number of seconds.");
            return @default;
        }

        if (value < min || value > max)
        {
            Fail(key, $"{value.ToString(CultureInfo.InvariantCulture)} is out of range; use {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)} seconds.");
            return @default;
        }

        return value;
    }

    public int Int(string key, int @default, int min, int max, string description)
    {
        Declare(key, @default.ToString(CultureInfo.InvariantCulture), description);
        var raw = _configuration[key];
        if (raw is null)
        {
            return @default;
        }

        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Fail(key, $"'{raw}' is not a whole number from {min} to {max}.");
            return @default;
        }

        return value;
    }

    public int Port(string key, int @default, string description) => Int(key, @default, 1, 65535, description);

    /// <summary>
    /// A list of whole numbers, written either as "1,2,6" (command line, environment) or as a JSON array.
    /// </summary>
    public IReadOnlyList<int> IntList(string key, IReadOnlyList<int> @default, int min, int max, string description)
    {
        Declare(key, string.Join(',', @default), description);
        var section = _configuration.GetSection(key);
        List<string> items;
        if (section.Value is { } scalar)
        {
            items = [.. scalar.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        }
        else
        {
            var children = section.GetChildren().ToList();
            if (children.Count == 0)
            {
                return @default;
            }

            items = [.. children.Select(c => c.Value ?? "")];
        }

        var values = new List<int>();
        foreach (var item in items)
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                Fail(key, $"'{item}' is not a whole number from {min} to {max}.");
                return @default;
            }

            if (!values.Contains(value))
            {
                values.Add(value);
            }
        }

        if (values.Count == 0)
        {
            Fail(key, "the list is empty.");
            return @default;
        }

        values.Sort();
        return values;
    }

    /// <summary>A list of words, written as "a,b,c" or as a JSON array.</summary>
    public IReadOnlyList<string> StringList(string key, IReadOnlyList<string> @default, string description)
    {
        Declare(key, @default.Count == 0 ? "(empty)" : string.Join(',', @default), description);
        var section = _configuration.GetSection(key);
        if (section.Value is { } scalar)
        {
            return [.. scalar.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
        }

        var children = section.GetChildren().Select(c => c.Value?.Trim() ?? "").Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return children.Count == 0 ? @default : children;
    }

    /// <summary>
    /// Named values under a section (Host:Paths:bitcoind=/data/bitcoin): the defaults, with the user's added or
    /// replaced; an empty value removes a default. Names must be plain words, as they become label values.
    /// </summary>
    public IReadOnlyDictionary<string, string> Map(string key, IReadOnlyDictionary<string, string> @default, string description)
    {
        Declare(key, @default.Count == 0 ? "(empty)" : string.Join(',', @default.Select(d => $"{d.Key}={d.Value}")), description, isMap: true);
        var map = new Dictionary<string, string>(@default, StringComparer.Ordinal);
        foreach (var child in _configuration.GetSection(key).GetChildren())
        {
            if (!child.Key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                Fail($"{key}:{child.Key}", "the name must be letters, digits, _ or -.");
            }
            else if (string.IsNullOrWhiteSpace(child.Value))
            {
                map.Remove(child.Key);
            }
            else
            {
                map[child.Key] = child.Value.Trim();
            }
        }

        return map;
    }

    /// <summary>
    /// Named sub-sections with the same settings each (Backups:Items:lnd:Path, Backups:Items:lnd:MaxAgeHours, ...).
    /// <paramref name="read"/> reads one sub-section from the key prefix it is given. It runs once over
    /// <c>key:&lt;name&gt;</c> with nothing configured, which declares its settings (for --help, the README and the
    /// unknown-key check) and whose problems are dropped, then once per name written, whose declarations are dropped
    /// and whose problems count. A name is letters, digits and _: it is part of an environment variable's name
    /// (NODEHELPER_Backups__Items__lnd__Path) and a label value.
    /// </summary>
    public IReadOnlyDictionary<string, T> Sections<T>(string key, Func<SettingsReader, string, T> read)
    {
        read(new SettingsReader(Nothing, _settings, []), $"{key}:{NamePlaceholder}");
        var sections = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        foreach (var child in _configuration.GetSection(key).GetChildren())
        {
            if (child.Key.Length == 0 || !child.Key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                Fail($"{key}:{child.Key}", "the name must be letters, digits and _ (it is also part of an environment variable's name).");
                continue;
            }

            sections[child.Key] = read(new SettingsReader(_configuration, [], _errors), $"{key}:{child.Key}");
        }

        return sections;
    }

    /// <summary>A value that must be given (a named sub-section's Path): missing or empty is a problem.</summary>
    public string RequiredString(string key, string description)
    {
        Declare(key, "(required)", description);
        var raw = _configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            Fail(key, "is required and empty or missing.");
            return "";
        }

        return raw.Trim();
    }

    /// <summary>A positive number that may be left unset (null, also when written empty): a limit that is off until given.</summary>
    /// <param name="unit">What the number counts, for the message (hours).</param>
    public double? OptionalPositive(string key, double max, string unit, string description)
    {
        Declare(key, "(none)", description);
        var raw = _configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value <= 0 || value > max)
        {
            Fail(key, $"'{raw}' is not a positive number of {unit} (at most {max.ToString(CultureInfo.InvariantCulture)}).");
            return null;
        }

        return value;
    }

    /// <summary>An http(s) URL without credentials in it (those belong in their own, secret, settings).</summary>
    public Uri HttpUrl(string key, string @default, string description)
    {
        Declare(key, @default, description);
        return ParseHttpUrl(key, _configuration[key] ?? @default) ?? new Uri(@default);
    }

    /// <summary>An http(s) URL that may be left empty (null): a feature that is off until it is given a target.</summary>
    public Uri? OptionalHttpUrl(string key, string description)
    {
        Declare(key, "(empty)", description);
        var raw = _configuration[key];
        return string.IsNullOrWhiteSpace(raw) ? null : ParseHttpUrl(key, raw);
    }

    private Uri? ParseHttpUrl(string key, string raw)
    {
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            // The raw value is not echoed: a malformed URL may still carry a password.
            Fail(key, "is not an absolute http:// or https:// URL.");
            return null;
        }

        if (uri.UserInfo.Length > 0)
        {
            Fail(key, "must not contain a user name or password; use the section's User and PasswordFile settings.");
            return null;
        }

        return uri;
    }

    /// <summary>Records a problem that involves several settings at once (for example two that exclude each other).</summary>
    public void Fail(string key, string problem) => _errors.Add($"{key}: {problem}");

    private void Declare(string key, string @default, string description, bool isSecret = false, bool isMap = false, Func<string, string>? redact = null) =>
        _settings.Add(new SettingInfo(key, @default, description, isSecret, isMap, redact));
}
