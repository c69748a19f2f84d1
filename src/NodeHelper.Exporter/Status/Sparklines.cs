namespace NodeHelper.Exporter.Status;

/// <summary>Placeholder until the history renderer lands: no drawing.</summary>
internal static class Sparklines
{
    public static string Svg(SparklineItem spark) => "";
}
