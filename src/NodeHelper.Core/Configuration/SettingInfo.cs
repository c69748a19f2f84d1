using System.Globalization;

namespace NodeHelper.Core.Configuration;

/// <summary>One documented setting: its full key, its default as shown to users, and what it does.</summary>
/// <remarks>
/// A map (<see cref="SettingsReader.Map"/>) takes any child key: Host:Paths:bitcoind, Host:Paths:electrs, ...
/// A key with <see cref="SettingsReader.NamePlaceholder"/> in it is a setting of every named sub-section
/// (<see cref="SettingsReader.Sections{T}"/>): Backups:Items:&lt;name&gt;:Path stands for Backups:Items:lnd:Path, ...
/// <see cref="Redact"/> hides what a value may carry that must not be shown (a password in a connection string).
/// </remarks>
internal sealed record SettingInfo(string Key, string Default, string Description, bool IsSecret = false, bool IsMap = false,
    Func<string, string>? Redact = null)
{
    /// <summary>A setting of every named sub-section (its key has <see cref="SettingsReader.NamePlaceholder"/>).</summary>
    public bool IsTemplate => Key.Contains(SettingsReader.NamePlaceholder, StringComparison.Ordinal);

    /// <summary>The section that holds the named sub-sections (Backups:Items), for a template; null otherwise.</summary>
    public string? TemplateParent => IsTemplate ? Key[..Key.IndexOf(":" + SettingsReader.NamePlaceholder, StringComparison.Ordinal)] : null;

    /// <summary>Whether a written key is this setting: the same key, or for a template the same with any name in the placeholder's place.</summary>
    public bool Matches(string key)
    {
        var mine = Key.Split(':');
        var theirs = key.Split(':');
        return mine.Length == theirs.Length
               && mine.Zip(theirs).All(p => p.First == SettingsReader.NamePlaceholder || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>This template's key for the named sub-section <paramref name="name"/> (Backups:Items:lnd:Path).</summary>
    public string For(string name) => Key.Replace(SettingsReader.NamePlaceholder, name, StringComparison.Ordinal);
}
