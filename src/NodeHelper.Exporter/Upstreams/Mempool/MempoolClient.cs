using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>One answer of the backend: its status and body, or why there is none.</summary>
internal readonly record struct EndpointAnswer(int Status, byte[] Body, string? Problem)
{
    public bool Ok => Problem is null && Status == 200;
}

/// <summary>
/// Everything one scrape learned from the mempool backend. backend-info and the tip height are essential; every
/// other part is null when its endpoint failed, and <see cref="EndpointSucceeded"/> says which.
/// </summary>
internal sealed record MempoolSnapshot
{
    public required BackendInfo Backend { get; init; }

    public required long TipHeight { get; init; }

    /// <summary>fees/recommended answers 503 while the backend's mempool is not in sync; null when it failed otherwise.</summary>
    public bool? Synced { get; init; }

    public RecommendedFees? Fees { get; init; }

    public MempoolSummary? Mempool { get; init; }

    public InitData? Init { get; init; }

    public required IReadOnlyDictionary<string, bool> EndpointSucceeded { get; init; }
}

/// <summary>Turns the backend's answers into a snapshot. Pure.</summary>
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
        var backend = Read(answers[BackendInfoPath], Json.BackendInfo) ?? throw Failure(answers[BackendInfoPath], BackendInfoPath);
        var tip = TipHeight(answers[TipHeightPath]) ?? throw Failure(answers[TipHeightPath], TipHeightPath);

        // fees/recommended is the backend's only health signal: 503 while its mempool is not in sync.
        var feesAnswer = answers[FeesPath];
        var fees = Read(feesAnswer, Json.RecommendedFees);
        bool? synced = feesAnswer is { Problem: null, Status: 503 } ? false : fees is null ? null : true;
        var mempool = Read(answers[MempoolPath], Json.MempoolSummary);
        var init = Read(answers[InitDataPath], Json.InitData);

        return new MempoolSnapshot
        {
            Backend = backend,
            TipHeight = tip,
            Synced = synced,
            Fees = fees,
            Mempool = mempool,
            Init = init,
            EndpointSucceeded = new Dictionary<string, bool>(StringComparer.Ordinal)
            {
                [BackendInfoPath] = true,
                [TipHeightPath] = true,
                [FeesPath] = synced is not null,
                [MempoolPath] = mempool is not null,
                [InitDataPath] = init is not null,
            },
        };
    }

    /// <summary>blocks/tip/height answers a bare number as text/plain.</summary>
    public static long? TipHeight(EndpointAnswer answer) =>
        answer.Ok && long.TryParse(Encoding.UTF8.GetString(answer.Body).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            ? height
            : null;

    private static T? Read<T>(EndpointAnswer answer, JsonTypeInfo<T> type)
        where T : class
    {
        if (!answer.Ok)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(answer.Body, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static UpstreamException Failure(EndpointAnswer answer, string path) =>
        new(answer.Problem is { } problem
            ? $"the mempool backend's {path}: {problem}"
            : answer.Status == 200
                ? $"the mempool backend's {path} answer is not what the backend sends: {UpstreamException.Clip(Encoding.UTF8.GetString(answer.Body), 80)}"
                : $"the mempool backend answered {path} with HTTP {answer.Status}.");
}

/// <summary>Reads the mempool backend's API: its five endpoints at once, each bounded in time and size. Transport only.</summary>
internal sealed class MempoolClient : IDisposable
{
    /// <summary>Largest answer read: init-data on mainnet is tens of KiB.</summary>
    public const int MaxResponseBytes = 8 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly MempoolOptions _options;

    public MempoolClient(MempoolOptions options)
    {
        _options = options;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            // The backend (Express) keeps idle connections 70 s (Keep-Alive: timeout=70); retire ours sooner.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
        })
        {
            BaseAddress = options.Url,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<MempoolSnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        var gets = MempoolParsers.Paths.Select(path => GetAsync(path, timeout.Token)).ToArray();
        var answers = await Task.WhenAll(gets);
        cancellationToken.ThrowIfCancellationRequested();
        return MempoolParsers.Parse(MempoolParsers.Paths.Zip(answers).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
    }

    /// <summary>One GET, never throwing for the upstream's sake: a failure is an answer with a problem.</summary>
    private async Task<EndpointAnswer> GetAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                return new EndpointAnswer((int)response.StatusCode, [], $"the answer is larger than {MaxResponseBytes / (1024 * 1024)} MiB");
            }

            using var body = new MemoryStream();
            await using (var limited = new LengthLimitedStream(await response.Content.ReadAsStreamAsync(cancellationToken), MaxResponseBytes,
                () => new UpstreamException($"the answer is larger than {MaxResponseBytes / (1024 * 1024)} MiB")))
            {
                await limited.CopyToAsync(body, cancellationToken);
            }

            return new EndpointAnswer((int)response.StatusCode, body.ToArray(), null);
        }
        catch (OperationCanceledException)
        {
            return new EndpointAnswer(0, [], $"no answer within {_options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Mempool:TimeoutSeconds)");
        }
        catch (UpstreamException e)
        {
            return new EndpointAnswer(0, [], e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            var cause = e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } ? "no connection" : UpstreamException.Clip(e.Message);
            return new EndpointAnswer(0, [], $"cannot talk to the backend at {_options.Url}: {cause} ({UpstreamException.Clip(e.GetBaseException().Message)})");
        }
    }

    public void Dispose() => _http.Dispose();
}
