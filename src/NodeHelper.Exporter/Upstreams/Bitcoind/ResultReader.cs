using System.Text.Json;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Reads one call's result straight out of the batch answer: <paramref name="reader"/> is on the result's first
/// token and is left on its last. Throws <see cref="JsonException"/> when the result has the wrong shape.
/// </summary>
internal delegate object? ResultReader(ref Utf8JsonReader reader);
