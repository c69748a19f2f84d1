using System.Text.RegularExpressions;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Probe;

/// <summary>
/// This node's collector, reading a probe target. Its failures name the settings of this node's own upstream
/// ("Bitcoind:TimeoutSeconds", "is Lnd:Url its restlisten?"); for a probe the message names the module's setting, or
/// the target, instead, so a log line never sends an operator to a setting that played no part.
/// </summary>
internal sealed partial class ProbedCollector(IMetricsCollector inner, ProbeModule module, ProbeTarget target) : IMetricsCollector
{
    private static readonly HashSet<string> ModuleKeys = ["TimeoutSeconds", "User", "PasswordFile", "Tls", "MacaroonFile", "TlsCertFile"];

    public string Name => inner.Name;

    public string Description => inner.Description;

    public UpGauge? Up => inner.Up;

    public async Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
    {
        try
        {
            await inner.CollectAsync(metrics, cancellationToken);
        }
        catch (UpstreamException e)
        {
            throw e is Upstreams.Bitcoind.BitcoindWarmingUpException ? e : new UpstreamException(e.Reason, Reword(e.Message), e);
        }
    }

    public void WriteFailure(MetricSet metrics, UpstreamException failure) => inner.WriteFailure(metrics, failure);

    /// <summary>"Bitcoind:TimeoutSeconds" becomes "Probe:Modules:&lt;module&gt;:TimeoutSeconds"; "Bitcoind:Url" and the like, the target.</summary>
    public string Reword(string message) => SettingKey().Replace(message, match =>
    {
        var key = match.Groups["key"].Value;
        return ModuleKeys.Contains(key) ? $"Probe:Modules:{module.Name}:{key}"
            : key is "Url" or "Host" or "Port" ? $"the probe target {target}"
            : match.Value;
    });

    [GeneratedRegex(@"\b(?:Bitcoind|Electrum|Mempool|Lnd):(?<key>[A-Za-z]+)\b")]
    private static partial Regex SettingKey();
}
