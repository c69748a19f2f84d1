using System.Globalization;
using System.Net;
using System.Text;
using NodeHelper.Report;

namespace NodeHelper.Exporter.Status.History;

/// <summary>
/// A <see cref="Sparkline"/> as inline SVG for the status page: no script, no style sheet, no external reference, its
/// colour the text's (<c>currentColor</c>). A gap in the data is a gap in the line: each run of known values is a
/// polyline of its own, a lone value a dot. Screen readers hear its <c>aria-label</c>: what it is, over which time,
/// from its low to its high, and its latest value.
/// </summary>
internal static class SparklineSvg
{
    /// <summary>Room at the edges for the stroke, so a line at the top or bottom is not cut in half.</summary>
    private const double Pad = 2;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The <c>&lt;svg&gt;</c> element, or "" when the sparkline has no points.</summary>
    public static string Render(Sparkline s, int width = 240, int height = 48)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (s.Points.Count == 0)
        {
            return "";
        }

        var from = s.Points.Min(p => p.Time);
        var to = s.Points.Max(p => p.Time);
        var known = s.Points.Select(p => p.Value).Where(double.IsFinite).ToList();
        var low = known.Count > 0 ? known.Min() : 0;
        var high = known.Count > 0 ? known.Max() : 0;
        var span = (to - from).TotalSeconds;

        var label = $"{s.Title}, {Formats.Time(from)} to {Formats.Time(to)}: " +
            (known.Count == 0 ? "no data" : $"from {s.Low} to {s.High}, latest {s.Latest}");
        var text = new StringBuilder();
        text.Append(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sparkline\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"")
            .Append(" role=\"img\" aria-label=\"").Append(Html(label)).Append("\" data-key=\"").Append(Html(s.Key)).Append("\">")
            .Append("<title>").Append(Html(label)).Append("</title>");

        var run = new List<(double X, double Y)>();
        foreach (var (time, value) in s.Points.OrderBy(p => p.Time))
        {
            if (!double.IsFinite(value))
            {
                Flush(text, run);
                continue;
            }

            var x = span > 0 ? Pad + ((time - from).TotalSeconds / span * (width - (2 * Pad))) : width / 2.0;
            // A flat line (high == low) runs through the middle rather than dividing by zero.
            var y = high > low ? Pad + ((high - value) / (high - low) * (height - (2 * Pad))) : height / 2.0;
            run.Add((x, y));
        }

        Flush(text, run);
        return text.Append("</svg>").ToString();
    }

    private static void Flush(StringBuilder text, List<(double X, double Y)> run)
    {
        if (run.Count == 1)
        {
            text.Append(Invariant, $"<circle cx=\"{run[0].X:0.##}\" cy=\"{run[0].Y:0.##}\" r=\"1.5\" fill=\"currentColor\"/>");
        }
        else if (run.Count > 1)
        {
            text.Append("<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"");
            text.AppendJoin(' ', run.Select(p => string.Create(Invariant, $"{p.X:0.##},{p.Y:0.##}")));
            text.Append("\"/>");
        }

        run.Clear();
    }

    private static string Html(string value) => WebUtility.HtmlEncode(value);
}
