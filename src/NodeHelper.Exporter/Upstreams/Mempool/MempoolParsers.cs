using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>
/// Turns the backend's answers into a snapshot. Pure. backend-info and the tip height are essential; every other
/// endpoint is an item, left out (with its problem) when it failed, has the wrong shape or holds an absurd value.
/// </summary>
internal static class MempoolParsers
{
    public const string BackendInfoPath = "backend-info";
    public const string TipHeightPath = "blocks/tip/height";
    public const string FeesPath = "fees/recommended";
    public const string MempoolPath = "mempool";
    public const string InitDataPath = "init-data";

    public static readonly string[] Paths = [BackendInfoPath, TipHeightPath, FeesPath, MempoolPath, InitDataPath];

    private static readonly MempoolJsonContext Json = MempoolJsonContext.Default;

    public static MempoolSnapshot Parse(IReadOnlyDictionary<string, EndpointAnswer> answers)
    {
        var problems = new Dictionary<string, string?>(StringComparer.Ordinal);
        var backend = Read(answers[BackendInfoPath], Json.BackendInfo, b => b.Problem(), out var backendProblem)
                      ?? throw Failure(answers[BackendInfoPath], BackendInfoPath, backendProblem);
        var tipAnswer = answers[TipHeightPath];
        var tip = TipHeight(tipAnswer) ?? throw Failure(tipAnswer, TipHeightPath, tipAnswer.Ok ? "the answer is not a height" : null);
        problems[BackendInfoPath] = null;
        problems[TipHeightPath] = null;

        // fees/recommended is the backend's only health signal: 503 while its mempool is not in sync.
        var feesAnswer = answers[FeesPath];
        var fees = Read(feesAnswer, Json.RecommendedFees, f => f.Problem(), out var feesProblem);
        bool? synced = feesAnswer is { Problem: null, Status: 503 } ? false : fees is null ? null : true;
        problems[FeesPath] = synced is null ? feesProblem : null;
        var mempool = Read(answers[MempoolPath], Json.MempoolSummary, m => m.Problem(), out var mempoolProblem);
        problems[MempoolPath] = mempoolProblem;
        var init = Read(answers[InitDataPath], Json.InitData, i => i.Problem(), out var initProblem);
        problems[InitDataPath] = initProblem;

        return new MempoolSnapshot
        {
            Backend = backend,
            TipHeight = tip,
            Synced = synced,
            Fees = fees,
            Mempool = mempool,
            Init = init,
            EndpointProblems = problems,
        };
    }

    /// <summary>blocks/tip/height answers a bare number as text/plain: a height, zero or more.</summary>
    public static long? TipHeight(EndpointAnswer answer) =>
        answer.Ok && long.TryParse(Encoding.UTF8.GetString(answer.Body).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            ? height
            : null;

    private static T? Read<T>(EndpointAnswer answer, JsonTypeInfo<T> type, Func<T, string?> check, out string? problem)
        where T : class
    {
        if (!answer.Ok)
        {
            problem = answer.Problem ?? $"HTTP {answer.Status}";
            return null;
        }

        try
        {
            var value = JsonSerializer.Deserialize(answer.Body, type);
            problem = value is null ? "the answer is null" : check(value);
            return problem is null ? value : null;
        }
        catch (JsonException e)
        {
            problem = $"the answer is not what the backend sends: {UpstreamException.Clip(e.Message, 120)}";
            return null;
        }
    }

    private static UpstreamException Failure(EndpointAnswer answer, string path, string? valueProblem) =>
        answer.Problem is { } problem
            ? new UpstreamException(answer.Reason, $"the mempool backend's {path}: {problem}")
            : answer.Status == 200
                ? new UpstreamException(FailureReason.InvalidResponse,
                    $"the mempool backend's {path} answer is not what the backend sends ({valueProblem}): {UpstreamException.Clip(Encoding.UTF8.GetString(answer.Body), 80)}")
                : new UpstreamException(FailureReason.HttpError, $"the mempool backend answered {path} with HTTP {answer.Status}.");
}
