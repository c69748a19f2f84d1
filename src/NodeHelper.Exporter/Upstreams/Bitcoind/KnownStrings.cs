using System.Text;
using System.Text.Json;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Reads a string that is almost always one of <see cref="BitcoindVocabulary"/>'s as that shared instance, and any
/// other as a new string. getpeerinfo on a node with 1,000 peers and getchaintips with hundreds of tips would
/// otherwise allocate three strings per peer and one per tip, every scrape, to count them by value.
/// </summary>
internal static class KnownStrings
{
    private static readonly (byte[] Utf8, string Text)[] Known =
    [
        .. BitcoindVocabulary.Networks
            .Concat(BitcoindVocabulary.ConnectionTypes)
            .Concat(BitcoindVocabulary.Transports)
            .Concat(BitcoindVocabulary.TipStatuses)
            .Distinct(StringComparer.Ordinal)
            .Select(text => (Encoding.UTF8.GetBytes(text), text)),
    ];

    /// <summary>The reader is on a string token.</summary>
    public static string Read(ref Utf8JsonReader reader)
    {
        // Escaped or split text is compared by ValueTextEquals, which unescapes; plain text by its bytes.
        var plain = !reader.ValueIsEscaped && !reader.HasValueSequence;
        foreach (var (utf8, text) in Known)
        {
            if (plain ? reader.ValueSpan.SequenceEqual(utf8) : reader.ValueTextEquals(utf8))
            {
                return text;
            }
        }

        return reader.GetString()!;
    }
}
