namespace NodeHelper.Exporter.Scraping;

/// <summary>Keeps label values that come from an upstream short and few.</summary>
internal static class LabelValue
{
    /// <summary>Most distinct values taken from one upstream list (indexes, networks) for one label.</summary>
    public const int MaxDistinct = 32;

    public const int MaxLength = 128;

    public static string Clip(string value) =>
        value.Length <= MaxLength ? value
        : char.IsHighSurrogate(value[MaxLength - 1]) ? value[..(MaxLength - 1)] // never half a character
        : value[..MaxLength];
}
