namespace NodeHelper.Tests.Support;

/// <summary>The [Service] lines of a shipped unit file, read as systemd reads them: Key=Value, a key may repeat.</summary>
internal sealed class SystemdUnit
{
    private readonly List<KeyValuePair<string, string>> _service = [];

    public SystemdUnit(string path)
    {
        var section = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                section = line;
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section == "[Service]" && equals > 0)
            {
                _service.Add(new(line[..equals].Trim(), line[(equals + 1)..].Trim()));
            }
        }
    }

    public IEnumerable<string> All(string key) => _service.Where(p => p.Key == key).Select(p => p.Value);

    public string One(string key) => All(key).Single();

    /// <summary>The environment systemd gives the service: Environment= lines, then the EnvironmentFile= (read relative to <paramref name="root"/>), which wins.</summary>
    public Dictionary<string, string> EnvironmentUnder(string root)
    {
        var environment = new Dictionary<string, string>();
        foreach (var assignment in All("Environment"))
        {
            var (key, value) = Split(assignment);
            environment[key] = value;
        }

        foreach (var file in All("EnvironmentFile"))
        {
            var optional = file.StartsWith('-');
            var path = Path.Join(root, file.TrimStart('-'));
            if (!File.Exists(path) && optional)
            {
                continue;
            }

            foreach (var line in File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not ('#' or ';')))
            {
                var (key, value) = Split(line);
                environment[key] = value;
            }
        }

        return environment;
    }

    /// <summary>KEY=VALUE; systemd removes one pair of quotes around the value (the shipped files use none).</summary>
    private static (string Key, string Value) Split(string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        var value = assignment[(equals + 1)..];
        if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0])
        {
            value = value[1..^1];
        }

        return (assignment[..equals], value);
    }
}
