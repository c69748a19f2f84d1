namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>A file or directory only its owner (and group) should read: a cookie, a password file, a wallet directory.</summary>
internal sealed record SecretPath(string Component, string Path);
