using System.Globalization;

namespace NodeHelper.Core.Configuration;

/// <summary>One documented setting: its full key, its default as shown to users, and what it does.</summary>
/// <remarks>
/// A map (<see cref="SettingsReader.Map"/>) takes any child key: Host:Paths:bitcoind, Host:Paths:electrs, ...
/// <see cref="Redact"/> hides what a value may carry that must not be shown (a password in a connection string).
/// </remarks>
internal sealed record SettingInfo(string Key, string Default, string Description, bool IsSecret = false, bool IsMap = false,
    Func<string, string>? Redact = null);
