namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>
/// The two answers of sshd's configuration that decide who can log in: PasswordAuthentication and PermitRootLogin,
/// read as sshd reads them: the first value of a keyword wins, Include pulls its files in (sorted, at that place),
/// and everything after the first Match block is conditional, not the global setting.
/// </summary>
internal sealed record SshdConfig(bool PasswordAuthentication, string PermitRootLogin)
{
    /// <summary>sshd's defaults (OpenSSH 9): passwords allowed, root only with a key.</summary>
    public static readonly SshdConfig Defaults = new(true, "prohibit-password");

    /// <summary>Reads <paramref name="path"/> and what it includes; <paramref name="resolve"/> maps a path sshd would open to where it is read (under Host:Root).</summary>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="FormatException">Includes nest deeper than sshd allows.</exception>
    public static SshdConfig Read(string path, Func<string, string> resolve)
    {
        string? password = null, root = null;
        var inMatch = false;
        Walk(resolve(path), depth: 0);
        return new SshdConfig(password is null ? Defaults.PasswordAuthentication : password == "yes", root ?? Defaults.PermitRootLogin);

        void Walk(string file, int depth)
        {
            if (depth > 16)
            {
                throw new FormatException("Include nests deeper than sshd allows");
            }

            foreach (var raw in File.ReadLines(file))
            {
                if (inMatch)
                {
                    return;
                }

                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var parts = line.Split([' ', '\t', '='], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var keyword = parts[0].ToLowerInvariant();
                var value = parts.Length > 1 ? parts[1].Trim().Trim('"').ToLowerInvariant() : "";
                switch (keyword)
                {
                    case "match":
                        inMatch = true;
                        return;
                    case "include":
                        foreach (var pattern in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        {
                            // Relative Include paths are under /etc/ssh, as sshd says.
                            var absolute = pattern.StartsWith('/') ? pattern : "/etc/ssh/" + pattern;
                            foreach (var included in IncludeGlob.Files(resolve(absolute)))
                            {
                                Walk(included, depth + 1);
                            }
                        }

                        break;
                    case "passwordauthentication":
                        password ??= value;
                        break;
                    case "permitrootlogin":
                        root ??= value;
                        break;
                }
            }
        }
    }
}
