using System.Buffers;
using System.Globalization;
using System.Text;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Scraping;

/// <summary>A collector wrote what the text format cannot hold (a bug, or an upstream value that slipped through): that collector fails.</summary>
internal sealed class InvalidMetricException(string message) : InvalidOperationException(message);
