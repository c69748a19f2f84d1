using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Report.Prometheus;

/// <summary>One series of a query's answer: its labels and its value (instant) or values (range).</summary>
internal sealed record PromSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(DateTimeOffset Time, double Value)> Points)
{
    public double Value => Points[^1].Value;

    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}
