using System.Globalization;
using System.Text;

namespace NodeHelper.Tests.Support;

/// <summary>
/// A scrape parsed back into (name, labels) → value, so tests assert series the way PromQL sees them,
/// whatever order the exposition lists them in.
/// </summary>
internal sealed class Exposition
{
    private readonly Dictionary<string, double> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _help = new(StringComparer.Ordinal);

    private Exposition(string text) => Text = text;

    public string Text { get; }

    /// <summary>Every series, keyed as <c>name{a="1",b="2"}</c> with labels sorted by name.</summary>
    public IReadOnlyDictionary<string, double> Series => _series;

    public IReadOnlyDictionary<string, string> Types => _types;

    public IReadOnlyDictionary<string, string> Help => _help;

    /// <summary>Names of the metric families that have at least one series.</summary>
    public IReadOnlySet<string> Names => _series.Keys.Select(k => k.Split('{')[0]).ToHashSet(StringComparer.Ordinal);

    public static Exposition Parse(string text)
    {
        var exposition = new Exposition(text);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 4);
                exposition._types[parts[2]] = parts[3];
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 4);
                exposition._help[parts[2]] = parts.Length > 3 ? parts[3] : "";
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var (key, remainder) = ReadSeries(line);
            var value = remainder.Trim().Split(' ')[0];
            var number = value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            exposition._series.Add(key, number);
        }

        return exposition;
    }

    public static string Key(string name, params (string Name, string Value)[] labels)
    {
        if (labels.Length == 0)
        {
            return name;
        }

        var sorted = labels.OrderBy(l => l.Name, StringComparer.Ordinal)
            .Select(l => $"{l.Name}=\"{l.Value}\"");
        return $"{name}{{{string.Join(',', sorted)}}}";
    }

    /// <summary>The value of one series; fails the test with the series that do exist when it is absent.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var key = Key(name, labels);
        if (_series.TryGetValue(key, out var value))
        {
            return value;
        }

        var similar = _series.Keys.Where(k => k.StartsWith(name, StringComparison.Ordinal)).Take(20);
        throw new Xunit.Sdk.XunitException($"Series {key} is absent. Series of that name: {string.Join(", ", similar)}");
    }

    public bool Has(string name, params (string Name, string Value)[] labels) => _series.ContainsKey(Key(name, labels));

    /// <summary>All series of one family, by their sorted label text.</summary>
    public IReadOnlyDictionary<string, double> Family(string name) =>
        _series.Where(s => s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    private static (string Key, string Remainder) ReadSeries(string line)
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (brace < 0 || (space >= 0 && space < brace))
        {
            return (line[..space], line[(space + 1)..]);
        }

        var name = line[..brace];
        var labels = new List<(string, string)>();
        var i = brace + 1;
        while (line[i] != '}')
        {
            var eq = line.IndexOf('=', i);
            var labelName = line[i..eq].Trim(',', ' ');
            i = eq + 2; // skip ="
            var value = new StringBuilder();
            while (line[i] != '"')
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] switch { 'n' => '\n', var c => c });
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            labels.Add((labelName, value.ToString()));
            i++;
            if (line[i] == ',')
            {
                i++;
            }
        }

        return (Key(name, [.. labels]), line[(i + 1)..]);
    }
}
