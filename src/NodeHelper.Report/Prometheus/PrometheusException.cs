using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Report.Prometheus;

/// <summary>Prometheus could not answer a query: unreachable, an HTTP error, or a query it refused.</summary>
internal sealed class PrometheusException(string message, Exception? inner = null) : UpstreamException(FailureReason.UpstreamError, message, inner);
