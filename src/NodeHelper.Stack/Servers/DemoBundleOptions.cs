using System.Globalization;
using System.Text;

namespace NodeHelper.Stack.Servers;

/// <summary>Where the demo's real programs listen, and where its mail lands.</summary>
public sealed record DemoBundleOptions(string Repository, string Exporter, int PrometheusPort, int AlertmanagerPort, int SmtpPort, string Maildir);
