namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>
/// What the firewall configuration files say will be loaded at boot, for a user without root: the live ruleset is
/// not readable without CAP_NET_ADMIN (the kernel answers no nftables or iptables listing to anyone else, and
/// /proc/net/ip_tables_names is root's only), so the exporter reads what the boot will load instead.
/// </summary>
internal static class FirewallConfig
{
    /// <summary>Statements of an nftables chain that declare it rather than filter: a chain with only these filters nothing.</summary>
    private static readonly HashSet<string> ChainDeclarations = new(StringComparer.Ordinal) { "type", "policy", "comment", "priority", "devices", "device" };

    /// <summary>
    /// Whether systemd starts <paramref name="unit"/> at boot: a link to it in one of the .wants directories of
    /// /etc/systemd/system, which is what `systemctl enable` makes (nftables.service: sysinit.target.wants).
    /// </summary>
    public static bool EnabledAtBoot(string etcSystemdSystem, string unit) =>
        Directory.Exists(etcSystemdSystem)
        && Directory.EnumerateDirectories(etcSystemdSystem, "*.wants").Any(wants => Present(Path.Join(wants, unit)));

    /// <summary>
    /// Whether an nftables file (nft -f's format, with the files it includes) holds a rule: a statement in a chain
    /// other than its type, hook, priority and policy lines, a chain whose policy is drop, or an add/insert rule
    /// command. Debian's shipped /etc/nftables.conf, three empty chains, has none.
    /// </summary>
    /// <param name="resolve">Maps a path nft would open to where it is read (under Host:Root).</param>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="FormatException">Includes nest deeper than nft allows.</exception>
    public static bool NftablesHasRules(string path, Func<string, string> resolve) => Nft(resolve(path), resolve, 0);

    /// <summary>
    /// Whether an iptables-save file (iptables-persistent's rules.v4 or rules.v6) holds a rule: an -A line, or a
    /// built-in chain whose policy is DROP (":INPUT DROP [0:0]").
    /// </summary>
    public static bool IptablesHasRules(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Any(l => l.StartsWith("-A ", StringComparison.Ordinal)
            || (l.StartsWith(':') && l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, "DROP", ..]));

    /// <summary>A file, or a link even when its target is outside Host:Root (an absolute /lib/systemd/system/... link).</summary>
    private static bool Present(string path) => File.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static bool Nft(string file, Func<string, string> resolve, int depth)
    {
        if (depth > 16)
        {
            throw new FormatException("include nests deeper than nft allows");
        }

        var blocks = new Stack<string>();
        var statement = new StatementText();
        var text = File.ReadAllText(file);
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : '\n';
            if (statement.TakeQuoted(c))
            {
                continue;
            }

            switch (c)
            {
                case '#':
                    var end = text.IndexOf('\n', i);
                    i = (end < 0 ? text.Length : end) - 1;
                    break;
                case '{':
                    var opening = Words(statement.Take());
                    if (InChain(blocks) && opening.Length > 0)
                    {
                        return true; // a rule with an anonymous set: tcp dport { 22, 8333 } accept
                    }

                    blocks.Push(opening.FirstOrDefault() ?? "");
                    break;
                case '}':
                case ';':
                case '\n':
                    if (End(statement, blocks, resolve, depth))
                    {
                        return true;
                    }

                    if (c == '}' && blocks.Count > 0)
                    {
                        blocks.Pop();
                    }

                    break;
                default:
                    statement.Append(c);
                    break;
            }
        }

        return false;
    }

    /// <summary>One statement ends: true when it is a rule.</summary>
    private static bool End(StatementText statement, Stack<string> blocks, Func<string, string> resolve, int depth)
    {
        var words = Words(statement.Take());
        if (words.Length == 0)
        {
            return false;
        }

        if (InChain(blocks))
        {
            return !ChainDeclarations.Contains(words[0]) || words is ["policy", "drop", ..];
        }

        if (blocks.Count == 0 && words is ["add" or "insert", "rule", ..])
        {
            return true;
        }

        if (words is ["include", var pattern])
        {
            var absolute = pattern.Trim('"');
            absolute = absolute.StartsWith('/') ? absolute : "/etc/" + absolute;
            return IncludeGlob.Files(resolve(absolute)).Any(included => Nft(included, resolve, depth + 1));
        }

        return false;
    }

    private static bool InChain(Stack<string> blocks) => blocks.Count > 0 && blocks.Peek() == "chain";

    private static string[] Words(string statement) => statement.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
}
