using NodeHelper.Core.Configuration;

namespace NodeHelper.Exporter.Probe;

/// <summary>The probe modules, by name (Probe:Modules:&lt;name&gt;); /probe refuses every request while there is none.</summary>
internal sealed class ProbeOptions
{
    public const string Section = "Probe";

    public IReadOnlyDictionary<string, ProbeModule> Modules { get; init; } = new Dictionary<string, ProbeModule>();

    public static ProbeOptions Read(SettingsReader settings) => new()
    {
        Modules = settings.Sections($"{Section}:Modules", ProbeModule.Read),
    };
}
