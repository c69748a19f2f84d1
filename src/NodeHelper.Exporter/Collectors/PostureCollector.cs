using System.Globalization;
using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Posture;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The node's security posture, from what any user may read: which of the stack's ports listen beyond loopback
/// (/proc/net/tcp and tcp6; bitcoind's RPC port reachable from the LAN is the worst of them), and which secret files
/// other users can read (bitcoind's cookie and wallets, NodeHelper's own password files). No root needed.
/// </summary>
internal sealed class PostureCollector(IReadOnlyDictionary<int, string> ports, IReadOnlyList<SecretPath> secrets, HostViewOptions host, ItemLog items)
    : IMetricsCollector
{
    private static readonly string[] Tables = ["proc/net/tcp", "proc/net/tcp6"];

    public string Name => "posture";

    public string Description => "security posture: the stack's ports listening beyond loopback, secret files other users can read";

    /// <summary>No upstream to be down: an unreadable table is an item (nodehelper_posture_source_success).</summary>
    public UpGauge? Up => null;

    public Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
    {
        WriteListeners(metrics);
        WriteSecrets(metrics);
        return Task.CompletedTask;
    }

    private void WriteListeners(MetricSet m)
    {
        var sources = m.Family("nodehelper_posture_source_success",
            "Whether a kernel table of the posture checks could be read (1) or not (0): proc/net/tcp, proc/net/tcp6 (absent without IPv6).", "source");
        var listening = new List<ListeningSocket>();
        foreach (var table in Tables)
        {
            var path = host.In(table);
            if (table.EndsWith("tcp6", StringComparison.Ordinal) && !File.Exists(path))
            {
                continue; // IPv6 is off: nothing can listen on it.
            }

            try
            {
                listening.AddRange(ListeningSockets.Parse(File.ReadAllText(path)));
                sources.WithLabels(table).Set(1);
                items.Note(table, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                sources.WithLabels(table).Set(0);
                items.Note(table, UpstreamException.Clip(e.Message));
            }
        }

        var exposed = m.Family("nodehelper_listener_exposed",
            "Whether a port of the stack that listens does so beyond loopback, reachable from other machines (1), or on loopback only (0). Only listening ports have a series.",
            "port", "service");
        foreach (var (port, service) in ports.OrderBy(p => p.Key))
        {
            var sockets = listening.Where(s => s.Port == port).ToList();
            if (sockets.Count > 0)
            {
                exposed.WithLabels(port.ToString(CultureInfo.InvariantCulture), service).Set(sockets.Any(s => !s.LoopbackOnly) ? 1 : 0);
            }
        }
    }

    private void WriteSecrets(MetricSet m)
    {
        var readable = m.Family("nodehelper_secret_file_world_readable",
            "Whether a secret file (or directory) can be read by every user of the host (1) or not (0): bitcoind's cookie and wallets, NodeHelper's password files. Only existing files have a series.",
            "component", "file");
        if (OperatingSystem.IsWindows())
        {
            return; // file modes are Unix's
        }

        foreach (var secret in secrets)
        {
            var path = PathExpansion.Expand(secret.Path);
            try
            {
                if (!Path.Exists(path))
                {
                    continue;
                }

                var mode = File.GetUnixFileMode(path);
                var others = Directory.Exists(path)
                    ? UnixFileMode.OtherRead | UnixFileMode.OtherExecute // a directory others may list or enter
                    : UnixFileMode.OtherRead;
                readable.WithLabels(secret.Component, LabelValue.Clip(path)).Set((mode & others) != 0 ? 1 : 0);
                items.Note($"secret {path}", null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                items.Note($"secret {path}", UpstreamException.Clip(e.Message));
            }
        }
    }
}
