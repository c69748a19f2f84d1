using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using NodeHelper.Core.Configuration;

namespace NodeHelper.Exporter.Configuration;

/// <summary>
/// Where settings come from, and nowhere else: <c>appsettings.json</c> next to the binary, then environment variables
/// <c>NODEHELPER_Section__Key</c>, then the command line <c>--Section:Key=value</c> (the later one wins). Built once;
/// the values and the unknown-key check read this same configuration, so nothing steers the exporter that the
/// check does not see. Unprefixed, <c>DOTNET_</c> and <c>ASPNETCORE_</c> variables are other programs' business.
/// </summary>
internal static class SettingsSources
{
    /// <summary>Environment variables with this prefix are settings: NODEHELPER_Bitcoind__Url sets Bitcoind:Url.</summary>
    public const string EnvironmentPrefix = "NODEHELPER_";

    public const string FileName = "appsettings.json";

    /// <summary>
    /// ASP.NET Core's own listen-address variables. NodeHelper does not obey them (its address is <c>urls</c>), but a
    /// container base image sets some of them, so the exporter says at start that they are ignored.
    /// </summary>
    public static readonly string[] IgnoredListenVariables =
        ["ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS"];

    /// <summary>The one flag that is not written --Section:Key: exporter-toolkit's --web.config.file, which sets Web:ConfigFile.</summary>
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        [Web.WebConfig.Flag] = Web.WebConfig.Key,
    };

    /// <summary>The configuration from the three documented sources, with the settings file read from <paramref name="directory"/>.</summary>
    /// <exception cref="SettingsException">The settings file is not JSON, or the command line is not --Key=value.</exception>
    public static IConfigurationRoot Build(IEnumerable<string> args, string? directory = null)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(directory ?? AppContext.BaseDirectory)
            .AddJsonFile(FileName, optional: true, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine([.. args], SwitchMappings);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            // "Failed to load configuration from file '…'", and the JSON reader's line and position.
            var detail = e.Message;
            for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            {
                detail += " " + inner.Message;
            }

            throw new SettingsException([$"{FileName}: {detail}"]);
        }
        catch (FormatException e)
        {
            throw new SettingsException([$"command line: {e.Message} Settings are written --Section:Key=value."]);
        }
    }

    /// <summary>Which source gave <paramref name="key"/> its value, in words: "the command line", "NODEHELPER_Bitcoind__Url", "appsettings.json" or "default".</summary>
    public static string SourceOf(IConfigurationRoot configuration, string key)
    {
        // The last provider that has the key is the one whose value counts.
        foreach (var provider in configuration.Providers.Reverse())
        {
            if (provider.TryGet(key, out _) || provider.GetChildKeys([], key).Any())
            {
                return provider switch
                {
                    CommandLineConfigurationProvider => "command line",
                    EnvironmentVariablesConfigurationProvider => EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal),
                    JsonConfigurationProvider => FileName,
                    _ => provider.ToString() ?? "?",
                };
            }
        }

        return "default";
    }

    /// <summary>The listen-address variables of ASP.NET Core that are set in this process's environment, each ignored.</summary>
    public static IEnumerable<string> IgnoredVariablesSet() =>
        IgnoredListenVariables.Where(name => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)));
}
