using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Lnd;

/// <summary>
/// Reads LND for one scrape: /v1/state first (it needs no macaroon, and says whether anything else can answer), then
/// every other call at once, each bounded by the timeout. getinfo is the one a reading cannot do without: when it
/// fails, the whole reading fails (LND down, the macaroon refused, the certificate wrong); any other call that fails
/// is an item. /v1/graph/info is slow on a mainnet node (seconds: it walks the whole graph), so it is read in the
/// background at most every <see cref="GraphInterval"/> and never waited for.
/// </summary>
internal sealed class LndSnapshotSource(LndRestClient client, double timeoutSeconds, TimeProvider clock)
{
    public static readonly TimeSpan GraphInterval = TimeSpan.FromMinutes(10);

    private readonly Lock _graphLock = new();
    private (LndGraphInfo Graph, DateTimeOffset At)? _graph;
    private string? _graphProblem;
    private Task? _graphRefresh;

    public async Task<LndSnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        var timeout = Deadline.After(timeoutSeconds, cancellationToken);
        var items = new List<Task>();
        try
        {
            var state = await ReadAsync("v1/state", LndJsonContext.Default.LndGetStateResponse, withMacaroon: false, timeout.Token);
            if (state.Problem() is { } absurd)
            {
                throw new UpstreamException(FailureReason.InvalidResponse, $"LND's /v1/state: {absurd}.");
            }

            var snapshot = new LndSnapshot(state.State);
            if (!snapshot.Active)
            {
                return snapshot;
            }

            var info = ReadAsync("v1/getinfo", LndJsonContext.Default.LndInfo, withMacaroon: true, timeout.Token);
            var problems = new Dictionary<string, string?>(StringComparer.Ordinal);
            var channelBalance = Item(items, ItemAsync("v1/balance/channels", LndJsonContext.Default.LndChannelBalance, b => b.Problem(), problems, timeout.Token));
            var walletBalance = Item(items, ItemAsync("v1/balance/blockchain", LndJsonContext.Default.LndWalletBalance, b => b.Problem(), problems, timeout.Token));
            var pending = Item(items, ItemAsync("v1/channels/pending", LndJsonContext.Default.LndPendingChannels, p => p.Problem(), problems, timeout.Token));
            var channels = Item(items, ItemAsync("v1/channels", LndJsonContext.Default.LndChannels, c => c.Problem(), problems, timeout.Token));
            var fees = Item(items, ItemAsync("v1/fees", LndJsonContext.Default.LndFeeReport, f => f.Problem(), problems, timeout.Token));
            var peers = Item(items, ItemAsync("v1/peers", LndJsonContext.Default.LndPeers, _ => null, problems, timeout.Token));
            RefreshGraphIfOld();
            var read = await info;
            if (read.Problem() is { } wrong)
            {
                throw new UpstreamException(FailureReason.InvalidResponse, $"LND's /v1/getinfo: {wrong}.");
            }

            var graph = LatestGraph(problems);
            return snapshot with
            {
                Info = read,
                ChannelBalance = await channelBalance,
                WalletBalance = await walletBalance,
                Pending = await pending,
                Channels = await channels,
                Fees = await fees,
                Peers = (await peers)?.Peers?.Count,
                Graph = graph,
                EndpointProblems = problems,
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(FailureReason.Timeout,
                $"LND did not answer within {timeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Lnd:TimeoutSeconds).");
        }
        finally
        {
            // A reading that failed (getinfo refused, the state absurd) ends the calls still in flight rather than
            // leave them to their timeout, and the timeout's timer is released only once every call has ended.
            if (items.All(t => t.IsCompleted))
            {
                timeout.Dispose();
            }
            else
            {
                await timeout.CancelAsync();
                _ = Task.WhenAll(items).ContinueWith(_ => timeout.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private static Task<T?> Item<T>(List<Task> items, Task<T?> call)
    {
        items.Add(call);
        return call;
    }

    /// <summary>
    /// The graph's latest reading, if one arrived in the last two intervals (an old one is no longer the graph); and
    /// /v1/graph/info as an endpoint once it has been tried: its last problem, or none.
    /// </summary>
    private LndGraphInfo? LatestGraph(Dictionary<string, string?> problems)
    {
        lock (_graphLock)
        {
            var graph = _graph is { } known && clock.GetUtcNow() - known.At <= 2 * GraphInterval ? known.Graph : null;
            if (_graphProblem is not null || graph is not null)
            {
                lock (problems)
                {
                    problems["/v1/graph/info"] = _graphProblem;
                }
            }

            return graph;
        }
    }

    private void RefreshGraphIfOld()
    {
        lock (_graphLock)
        {
            if ((_graph is { } graph && clock.GetUtcNow() - graph.At < GraphInterval) || _graphRefresh is { IsCompleted: false })
            {
                return;
            }

            _graphRefresh = Task.Run(async () =>
            {
                // Its own bound, not the scrape's: the point is that no scrape waits for it.
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                string? problem;
                try
                {
                    var read = await ReadAsync("v1/graph/info", LndJsonContext.Default.LndGraphInfo, withMacaroon: true, timeout.Token);
                    problem = read.Problem();
                    if (problem is null)
                    {
                        lock (_graphLock)
                        {
                            _graph = (read, clock.GetUtcNow());
                        }
                    }
                }
                catch (UpstreamException e)
                {
                    problem = e.Message;
                }
                catch (OperationCanceledException)
                {
                    problem = "LND's /v1/graph/info did not answer within 2 minutes.";
                }

                // The graph's series stay as they were (absent once too old); the next scrape after GraphInterval tries again.
                lock (_graphLock)
                {
                    _graphProblem = problem;
                }
            });
        }
    }

    /// <summary>A call whose failure is an item: null and its problem noted, never thrown.</summary>
    private async Task<T?> ItemAsync<T>(string path, JsonTypeInfo<T> type, Func<T, string?> problem, Dictionary<string, string?> problems, CancellationToken cancellationToken)
        where T : class
    {
        string? failed;
        T? value = null;
        try
        {
            value = await ReadAsync(path, type, withMacaroon: true, cancellationToken);
            failed = problem(value);
        }
        catch (UpstreamException e)
        {
            failed = e.Message;
        }
        catch (OperationCanceledException)
        {
            // Its timeout (or the reading ending): this call alone. A caller that gave up sees its own cancellation
            // from the reading's other awaits.
            failed = $"LND's /{path} did not answer within {timeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Lnd:TimeoutSeconds).";
        }

        lock (problems)
        {
            problems["/" + path] = failed;
        }

        return failed is null ? value : null;
    }

    /// <summary>One call, parsed; LND's error answers (grpc-gateway's 500 with code and message) become an UpstreamException saying LND's message.</summary>
    private async Task<T> ReadAsync<T>(string path, JsonTypeInfo<T> type, bool withMacaroon, CancellationToken cancellationToken)
        where T : class
    {
        var (status, body) = await client.GetAsync(path, withMacaroon, cancellationToken);
        if (status != 200)
        {
            throw Refusal(path, status, body);
        }

        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new UpstreamException(FailureReason.InvalidResponse, $"LND's /{path} answered null.");
        }
        catch (JsonException e)
        {
            throw new UpstreamException(FailureReason.InvalidResponse, $"LND's /{path} answered something that is not its JSON: {UpstreamException.Clip(e.Message)}", e);
        }
    }

    private static UpstreamException Refusal(string path, int status, byte[] body)
    {
        LndError? error = null;
        try
        {
            error = JsonSerializer.Deserialize(body, LndJsonContext.Default.LndError);
        }
        catch (JsonException)
        {
        }

        var message = error?.Message ?? "";
        // LND refuses a macaroon with a plain error (gRPC code 2, HTTP 500): its words say which it was.
        var reason = status switch
        {
            401 => FailureReason.Unauthorized,
            403 => FailureReason.Forbidden,
            // A macaroon without the call's permission (bakery's ErrPermissionDenied): the credential is right, its rights are not.
            _ when message == "permission denied" => FailureReason.Forbidden,
            _ when message.Contains("macaroon", StringComparison.OrdinalIgnoreCase) || message.StartsWith("verification failed", StringComparison.Ordinal) => FailureReason.Unauthorized,
            _ when error is not null => FailureReason.UpstreamError,
            _ => FailureReason.HttpError,
        };
        var said = message.Length > 0 ? $": {UpstreamException.Clip(message)}" : "";
        return new UpstreamException(reason, $"LND's /{path} answered HTTP {status.ToString(CultureInfo.InvariantCulture)}{said}.");
    }
}
