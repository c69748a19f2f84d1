using System.Text.RegularExpressions;

namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>
/// What the firewall configuration files say will be loaded at boot, for a user without root: the live ruleset is
/// not readable without CAP_NET_ADMIN (the kernel answers no nftables or iptables listing to anyone else, and
/// /proc/net/ip_tables_names is root's only), so the exporter reads what the boot will load instead. Only inbound
/// filtering counts: NAT, forwarding (Docker's), output chains and counters filter nothing that comes in.
/// </summary>
internal static partial class FirewallConfig
{
    private static readonly HashSet<string> InputFamilies = new(StringComparer.Ordinal) { "ip", "ip6", "inet" };

    private static readonly HashSet<string> Families = new(StringComparer.Ordinal) { "ip", "ip6", "inet", "arp", "bridge", "netdev" };

    /// <summary>
    /// Whether any of <paramref name="files"/> filters inbound traffic (true), none does (false), or none of those read
    /// does and at least one may not be read by this user (null: unknown, as iptables-persistent's 0640 root:root files
    /// are to an unprivileged exporter).
    /// </summary>
    /// <exception cref="IOException">A file cannot be read for another reason than its permissions.</exception>
    public static bool? AnyFiltersInput(IEnumerable<string> files, Func<string, bool> filtersInput)
    {
        var unreadable = false;
        foreach (var file in files)
        {
            try
            {
                if (filtersInput(file))
                {
                    return true;
                }
            }
            catch (UnauthorizedAccessException)
            {
                unreadable = true;
            }
        }

        return unreadable ? null : false;
    }

    /// <summary>
    /// Whether an nftables file (nft -f's format, with the files it includes) filters inbound traffic: a chain of type
    /// filter with hook input (family ip, ip6 or inet) whose policy is drop, or with a drop or reject verdict in one of
    /// its rules or in a chain it jumps or goes to (followed, in the same table). Rules come from chain blocks and from
    /// add/insert rule commands; a flush ruleset forgets what came before. Debian's shipped /etc/nftables.conf, three
    /// empty chains, does not filter; neither does a ruleset of output chains, counters or NAT.
    /// </summary>
    /// <param name="resolve">Maps a path nft would open to where it is read (under Host:Root).</param>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    /// <exception cref="FormatException">Includes nest deeper than nft allows.</exception>
    public static bool NftablesFiltersInput(string path, Func<string, string> resolve)
    {
        var chains = new Dictionary<string, NftChain>(StringComparer.Ordinal);
        Nft(resolve(path), resolve, 0, chains);
        return chains.Values.Any(c => c.Filter && c.HookInput && InputFamilies.Contains(c.Family) && (c.PolicyDrop || Drops(c, chains, [])));
    }

    /// <summary>
    /// Whether an iptables-save file (iptables-persistent's rules.v4 or rules.v6) filters inbound traffic: in its
    /// *filter table, the INPUT chain's policy is DROP (":INPUT DROP [0:0]"), or an -A INPUT rule jumps (-j, -g) to DROP
    /// or REJECT, directly or through user chains it jumps to (followed). The nat, mangle and raw tables, FORWARD
    /// (Docker's) and OUTPUT filter nothing that comes in.
    /// </summary>
    public static bool IptablesFiltersInput(IEnumerable<string> lines)
    {
        var table = "";
        var inputPolicyDrops = false;
        var targets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = Quoted().Replace(raw.Trim(), "\"\"");
            if (line.StartsWith('*'))
            {
                table = line[1..];
                continue;
            }

            if (table != "filter")
            {
                continue;
            }

            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words is [":INPUT", "DROP", ..])
            {
                inputPolicyDrops = true;
            }
            else if (words is ["-A", var chain, ..])
            {
                var jump = Array.FindIndex(words, w => w is "-j" or "--jump" or "-g" or "--goto");
                if (jump > 0 && jump + 1 < words.Length)
                {
                    (targets.TryGetValue(chain, out var list) ? list : targets[chain] = []).Add(words[jump + 1]);
                }
            }
        }

        return inputPolicyDrops || IptablesDrops("INPUT", targets, []);
    }

    private static bool IptablesDrops(string chain, Dictionary<string, List<string>> targets, HashSet<string> seen) =>
        seen.Add(chain) && targets.TryGetValue(chain, out var list)
                        && list.Any(t => t is "DROP" or "REJECT" || IptablesDrops(t, targets, seen));

    private static bool Drops(NftChain chain, Dictionary<string, NftChain> chains, HashSet<string> seen) =>
        seen.Add(chain.Key) && (chain.Verdict || chain.Jumps.Any(j => chains.TryGetValue(j, out var next) && Drops(next, chains, seen)));

    private static void Nft(string file, Func<string, string> resolve, int depth, Dictionary<string, NftChain> chains)
    {
        if (depth > 16)
        {
            throw new FormatException("include nests deeper than nft allows");
        }

        var blocks = new Stack<NftBlock>();
        var statement = new StatementText();
        var inline = 0; // depth of anonymous sets and verdict maps inside the statement: tcp dport { 22, 8333 } accept
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
                    var before = statement.Take();
                    var opening = Words(before);
                    if (inline > 0 || (opening.Length > 0 && (InChain(blocks) || opening is ["add" or "insert" or "replace", "rule", ..])))
                    {
                        inline++;
                        foreach (var ch in before + " { ")
                        {
                            statement.Append(ch);
                        }

                        break;
                    }

                    blocks.Push(Open(opening, blocks, chains));
                    break;
                case '}' when inline > 0:
                    inline--;
                    foreach (var ch in " } ")
                    {
                        statement.Append(ch);
                    }

                    break;
                case ';' or '\n' when inline > 0:
                    statement.Append(' ');
                    break;
                case '}':
                case ';':
                case '\n':
                    End(Words(statement.Take()), blocks, resolve, depth, chains);
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
    }

    /// <summary>A block opens: a table, a chain (in a table, or an add chain command), or anything else (a set, a map, a flowtable).</summary>
    private static NftBlock Open(string[] words, Stack<NftBlock> blocks, Dictionary<string, NftChain> chains)
    {
        var command = words is ["add" or "create", ..] ? words[1..] : words;
        switch (command)
        {
            case ["table", var name] when blocks.Count == 0:
                return new NftBlock("table", "ip", name, null);
            case ["table", var family, var name] when blocks.Count == 0:
                return new NftBlock("table", family, name, null);
            case ["chain", var name] when blocks.TryPeek(out var table) && table.Kind == "table":
                return new NftBlock("chain", table.Family, table.Table, Chain(chains, table.Family, table.Table, name));
            case ["chain", ..] when blocks.Count == 0 && Address(command[1..]) is (var family, var tableName, var chain):
                return new NftBlock("chain", family, tableName, Chain(chains, family, tableName, chain));
            default:
                return new NftBlock("other", "", "", null);
        }
    }

    /// <summary>One statement ends: a chain's declaration or rule, an add rule command, an include, a flush ruleset.</summary>
    private static void End(string[] words, Stack<NftBlock> blocks, Func<string, string> resolve, int depth, Dictionary<string, NftChain> chains)
    {
        if (words.Length == 0)
        {
            return;
        }

        if (blocks.TryPeek(out var block) && block.Chain is { } chain)
        {
            switch (words)
            {
                case ["type", var type, ..]:
                    chain.Filter = type == "filter";
                    chain.HookInput = Array.IndexOf(words, "hook") is var hook and >= 0 && hook + 1 < words.Length && words[hook + 1] == "input";
                    break;
                case ["policy", var policy, ..]:
                    chain.PolicyDrop = policy == "drop";
                    break;
                case ["comment" or "priority" or "devices" or "device", ..]:
                    break;
                default:
                    Rule(chain, words, chains);
                    break;
            }

            return;
        }

        if (blocks.Count > 0)
        {
            return; // a table's flags or comment, a set's elements
        }

        switch (words)
        {
            case ["flush", "ruleset", ..]:
                chains.Clear();
                break;
            case ["add" or "insert" or "replace", "rule", ..] when Address(words[2..]) is (var family, var table, var name):
                Rule(Chain(chains, family, table, name), words[(Families.Contains(words[2]) ? 5 : 4)..], chains);
                break;
            case ["include", var pattern]:
                var absolute = pattern.Trim('"');
                absolute = absolute.StartsWith('/') ? absolute : "/etc/" + absolute;
                foreach (var included in IncludeGlob.Files(resolve(absolute)))
                {
                    Nft(included, resolve, depth + 1, chains);
                }

                break;
        }
    }

    /// <summary>A rule's verdicts: drop or reject (in a verdict map too), and the chains it jumps or goes to.</summary>
    private static void Rule(NftChain chain, string[] words, Dictionary<string, NftChain> chains)
    {
        var tokens = string.Join(' ', words).Split([' ', ',', ':', '{', '}'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] is "drop" or "reject")
            {
                chain.Verdict = true;
            }
            else if (tokens[i] is "jump" or "goto" && i + 1 < tokens.Length)
            {
                chain.Jumps.Add(Key(chain.Family, chain.Table, tokens[i + 1]));
            }
        }
    }

    /// <summary>"[family] table chain" at the start of <paramref name="words"/> (family ip when left out).</summary>
    private static (string Family, string Table, string Chain)? Address(string[] words) => words switch
    {
        [var family, var table, var chain, ..] when Families.Contains(family) => (family, table, chain),
        [var table, var chain, ..] when !Families.Contains(table) => ("ip", table, chain),
        _ => null,
    };

    private static NftChain Chain(Dictionary<string, NftChain> chains, string family, string table, string name)
    {
        var key = Key(family, table, name);
        return chains.TryGetValue(key, out var chain) ? chain : chains[key] = new NftChain(key, family, table);
    }

    private static string Key(string family, string table, string chain) => $"{family} {table} {chain}";

    private static bool InChain(Stack<NftBlock> blocks) => blocks.TryPeek(out var block) && block.Kind == "chain";

    private static string[] Words(string statement) => statement.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Quoted();

    private sealed record NftBlock(string Kind, string Family, string Table, NftChain? Chain);

    private sealed class NftChain(string key, string family, string table)
    {
        public string Key { get; } = key;

        public string Family { get; } = family;

        public string Table { get; } = table;

        public bool Filter { get; set; }

        public bool HookInput { get; set; }

        public bool PolicyDrop { get; set; }

        public bool Verdict { get; set; }

        public HashSet<string> Jumps { get; } = new(StringComparer.Ordinal);
    }
}
