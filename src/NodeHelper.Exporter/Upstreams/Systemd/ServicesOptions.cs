using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Upstreams.Systemd;

/// <summary>Which systemd units to watch, and how to ask systemd about them.</summary>
internal sealed class ServicesOptions
{
    public const string Section = "Services";

    public bool Enabled { get; init; } = true;

    public IReadOnlyList<string> Units { get; init; } = ["bitcoind", "electrs", "fulcrum", "mempool", "mariadb", "nginx"];

    public string SystemctlPath { get; init; } = "systemctl";

    public double TimeoutSeconds { get; init; } = 5;

    public static ServicesOptions Read(SettingsReader settings)
    {
        var d = new ServicesOptions();
        var options = new ServicesOptions
        {
            Enabled = settings.Bool($"{Section}:Enabled", d.Enabled, "Watch the stack's systemd units: active, restarts, since when."),
            Units = settings.StringList($"{Section}:Units", d.Units,
                "Units to watch (.service is added when no type is given); units that are not installed are reported as not loaded."),
            SystemctlPath = settings.String($"{Section}:SystemctlPath", d.SystemctlPath, "The systemctl program."),
            TimeoutSeconds = settings.Seconds($"{Section}:TimeoutSeconds", d.TimeoutSeconds, 0.1, 300, "Longest wait for systemctl."),
        };

        foreach (var unit in options.Units)
        {
            if (!unit.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or ':' or '\\'))
            {
                settings.Fail($"{Section}:Units", $"'{unit}' is not a unit name.");
            }
        }

        return options;
    }
}
