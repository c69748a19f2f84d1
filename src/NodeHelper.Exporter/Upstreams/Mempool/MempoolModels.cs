using System.Text.Json.Serialization;
using static NodeHelper.Core.Upstreams.FieldCheck;

namespace NodeHelper.Exporter.Upstreams.Mempool;

// The fields of the mempool backend's answers that the collector reads, named as the backend names them.
// Problem() says what in a well-formed answer is absurd for its field, or null (see MempoolParsers).

internal sealed record BackendInfo(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("backend")] string Backend,
    [property: JsonPropertyName("gitCommit")] string? GitCommit = null,
    [property: JsonPropertyName("coreVersion")] string? CoreVersion = null)
{
    public string? Problem() => Version.Length == 0 ? "version is empty" : null;
}

/// <summary>/fees/recommended, in sat/vB (fractions since v3).</summary>
internal sealed record RecommendedFees(
    [property: JsonPropertyName("fastestFee")] double FastestFee,
    [property: JsonPropertyName("halfHourFee")] double HalfHourFee,
    [property: JsonPropertyName("hourFee")] double HourFee,
    [property: JsonPropertyName("economyFee")] double EconomyFee,
    [property: JsonPropertyName("minimumFee")] double MinimumFee)
{
    public string? Problem() => First(
        NotNegative(FastestFee, "fastestFee"),
        NotNegative(HalfHourFee, "halfHourFee"),
        NotNegative(HourFee, "hourFee"),
        NotNegative(EconomyFee, "economyFee"),
        NotNegative(MinimumFee, "minimumFee"));
}

/// <summary>/mempool: the backend's own view of the mempool; total_fee in satoshis.</summary>
internal sealed record MempoolSummary(
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("vsize")] long Vsize,
    [property: JsonPropertyName("total_fee")] double? TotalFee = null)
{
    public string? Problem() => First(NotNegative(Count, "count"), NotNegative(Vsize, "vsize"), NotNegative(TotalFee, "total_fee"));
}

/// <summary>The parts of /init-data the collector reads (the rest, recent blocks and transactions, is skipped).</summary>
internal sealed record InitData(
    [property: JsonPropertyName("loadingIndicators")] IReadOnlyDictionary<string, double>? LoadingIndicators = null,
    [property: JsonPropertyName("vBytesPerSecond")] double? VbytesPerSecond = null,
    [property: JsonPropertyName("da")] DifficultyAdjustment? DifficultyAdjustment = null)
{
    public string? Problem() => First(
        LoadingIndicators?.Select(i => Finite(i.Value, $"loadingIndicators.{i.Key}")).FirstOrDefault(p => p is not null),
        NotNegative(VbytesPerSecond, "vBytesPerSecond"),
        DifficultyAdjustment?.Problem());
}

internal sealed record DifficultyAdjustment(
    [property: JsonPropertyName("progressPercent")] double ProgressPercent,
    [property: JsonPropertyName("difficultyChange")] double DifficultyChange,
    [property: JsonPropertyName("estimatedRetargetDate")] double EstimatedRetargetDateMilliseconds,
    [property: JsonPropertyName("remainingBlocks")] long RemainingBlocks)
{
    public string? Problem() => First(
        Finite(ProgressPercent, "da.progressPercent"),
        Finite(DifficultyChange, "da.difficultyChange"),
        NotNegative(EstimatedRetargetDateMilliseconds, "da.estimatedRetargetDate"),
        NotNegative(RemainingBlocks, "da.remainingBlocks"));
}

[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.Strict,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(BackendInfo))]
[JsonSerializable(typeof(RecommendedFees))]
[JsonSerializable(typeof(MempoolSummary))]
[JsonSerializable(typeof(InitData))]
internal sealed partial class MempoolJsonContext : JsonSerializerContext;
