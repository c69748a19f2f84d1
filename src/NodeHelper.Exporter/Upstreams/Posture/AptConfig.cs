namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>
/// apt's configuration as apt itself resolves it (apt-pkg's pkgInitConfig and ReadConfigFile): every file of
/// /etc/apt/apt.conf.d in lexical order, then /etc/apt/apt.conf, a later value of a key replacing an earlier one.
/// Both forms of a setting, <c>APT::Periodic::Unattended-Upgrade "1";</c> and <c>APT { Periodic { ... }; };</c>;
/// comments <c>//</c> and <c>#</c> to the end of the line and <c>/* ... */</c>; keys compared without case; a
/// <c>#clear</c> removes a key and everything below it. Read from files rather than asked of <c>apt-config dump</c>:
/// it needs no process, and it reads the tree under Host:Root (a host's /etc mounted into a container, a test's
/// fixture), which apt-config cannot. Not followed: <c>#include</c> (no Debian or Ubuntu package ships one) and the
/// APT_CONFIG variable or Dir::Etc overrides, which only apt's own callers set.
/// </summary>
internal static class AptConfig
{
    /// <summary>The scalar values apt would see under <paramref name="etcApt"/> (/etc/apt), keys in lower case.</summary>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    public static Dictionary<string, string> Read(string etcApt)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Parts(Path.Join(etcApt, "apt.conf.d")))
        {
            Parse(File.ReadAllText(file), values);
        }

        var main = Path.Join(etcApt, "apt.conf");
        if (File.Exists(main))
        {
            Parse(File.ReadAllText(main), values);
        }

        return values;
    }

    /// <summary>
    /// The files apt reads from a parts directory (GetListOfFilesInDir with extension "conf", no extension allowed):
    /// names of letters, digits, _, -, : and ., not ending in a dot, with no extension or ".conf"; sorted bytewise.
    /// Others (a .dpkg-old, a .disabled, a backup~) are skipped, as apt skips them.
    /// </summary>
    public static IEnumerable<string> Parts(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory)
            .Where(path => Path.GetFileName(path) is var name
                           && name.Length > 0 && name[^1] != '.'
                           && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or ':' or '.')
                           && (!name.Contains('.', StringComparison.Ordinal) || name.EndsWith(".conf", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Applies one file's statements to <paramref name="values"/>.</summary>
    public static void Parse(string text, Dictionary<string, string> values)
    {
        var scopes = new Stack<string>();
        var statement = new StatementText();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (statement.TakeQuoted(c))
            {
                continue;
            }

            switch (c)
            {
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                case '#' when !Directive(text, i):
                    i = SkipToLineEnd(text, i);
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '*':
                    var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = end < 0 ? text.Length : end + 1;
                    statement.Append(' ');
                    break;
                case '#':
                    // #clear KEY; (or #include, not followed): a directive up to its ';' or the line's end.
                    var stop = text.IndexOfAny([';', '\n'], i);
                    stop = stop < 0 ? text.Length : stop;
                    var words = text[i..stop].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    if (words is ["#clear", ..])
                    {
                        foreach (var key in words.Skip(1))
                        {
                            Clear(values, Key(scopes, Unquote(key)));
                        }
                    }

                    i = stop;
                    break;
                case '{':
                    // "Tag {": a scope. "Tag "value" {" also sets Tag.
                    var (tag, value) = Split(statement.Take());
                    if (value is not null && tag is not null)
                    {
                        values[Key(scopes, tag)] = value;
                    }

                    scopes.Push(tag is null ? "" : Key(scopes, tag));
                    break;
                case ';':
                    Assign(statement, scopes, values);
                    break;
                case '}':
                    Assign(statement, scopes, values);
                    if (scopes.Count > 0)
                    {
                        scopes.Pop();
                    }

                    break;
                default:
                    statement.Append(c);
                    break;
            }
        }
    }

    /// <summary>A value apt reads as true or a number of days: anything but empty, "0", "false", "no" or "off".</summary>
    public static bool IsOn(IReadOnlyDictionary<string, string> values, string key, bool @default = false) =>
        values.TryGetValue(key.ToLowerInvariant(), out var value)
            ? value.Trim().ToLowerInvariant() is not ("" or "0" or "false" or "no" or "off")
            : @default;

    private static void Assign(StatementText statement, Stack<string> scopes, Dictionary<string, string> values)
    {
        var (tag, value) = Split(statement.Take());
        if (tag is not null && value is not null)
        {
            values[Key(scopes, tag)] = value;
        }

        // A lone word in a scope is a list item (DPkg::Post-Invoke { "cmd"; };): not a scalar, not kept.
    }

    /// <summary>A statement's tag (its first word) and value (the rest, quotes removed), or nulls; a quoted word is one word.</summary>
    private static (string? Tag, string? Value) Split(string text)
    {
        if (text.Length == 0 || text[0] == '"')
        {
            return (null, null); // nothing, or a list item ("cmd";)
        }

        var space = text.IndexOfAny([' ', '\t', '\n', '\r']);
        return space < 0 ? (text, null) : (Unquote(text[..space]), Unquote(text[space..].Trim()));
    }

    private static string Unquote(string text) => text.Replace("\"", "", StringComparison.Ordinal);

    private static string Key(Stack<string> scopes, string tag)
    {
        var parent = scopes.Count > 0 ? scopes.Peek() : "";
        var key = parent.Length > 0 ? parent + "::" + tag : tag;
        return key.ToLowerInvariant();
    }

    private static void Clear(Dictionary<string, string> values, string key)
    {
        foreach (var existing in values.Keys.Where(k => k == key || k.StartsWith(key + "::", StringComparison.Ordinal)).ToList())
        {
            values.Remove(existing);
        }
    }

    private static bool Directive(string text, int i) =>
        string.CompareOrdinal(text, i, "#clear", 0, 6) == 0 || string.CompareOrdinal(text, i, "#include", 0, 8) == 0;

    private static int SkipToLineEnd(string text, int i)
    {
        var end = text.IndexOf('\n', i);
        return end < 0 ? text.Length : end;
    }
}
