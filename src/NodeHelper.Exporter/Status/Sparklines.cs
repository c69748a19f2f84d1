using NodeHelper.Exporter.Status.History;

namespace NodeHelper.Exporter.Status;

/// <summary>A sparkline of the model drawn as inline SVG (SparklineSvg), from its [unix seconds, value] points.</summary>
internal static class Sparklines
{
    public static string Svg(SparklineItem spark) => SparklineSvg.Render(new Sparkline(spark.Key, spark.Title,
        [.. spark.Points.Select(p => (DateTimeOffset.FromUnixTimeSeconds((long)(p[0] ?? 0)), p[1] ?? double.NaN))], spark.Latest, spark.Low, spark.High));
}
