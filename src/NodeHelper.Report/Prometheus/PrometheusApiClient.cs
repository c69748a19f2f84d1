using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Report.Prometheus;

/// <summary>
/// Prometheus's HTTP API (/api/v1/query and /api/v1/query_range), read with JsonDocument: the answers mix
/// numbers and strings in arrays, which a typed model would only obscure.
/// </summary>
/// <param name="setting">The setting that names <paramref name="baseUrl"/>, for the message of an answer that is not Prometheus's.</param>
internal sealed class PrometheusApiClient(HttpClient http, Uri baseUrl, string setting = "Report:PrometheusUrl")
{
    /// <summary>Far above a day's answer for one node (the largest, a chart, is a few hundred KiB).</summary>
    public const int MaxResponseBytes = 32 * 1024 * 1024;

    public Uri BaseUrl => baseUrl;

    public Task<IReadOnlyList<PromSeries>> QueryAsync(string query, DateTimeOffset at, CancellationToken cancellationToken) =>
        GetAsync($"api/v1/query?query={Uri.EscapeDataString(query)}&time={Unix(at)}", query, cancellationToken);

    public Task<IReadOnlyList<PromSeries>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken) =>
        GetAsync($"api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Unix(start)}&end={Unix(end)}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}",
            query, cancellationToken);

    /// <summary>
    /// One GET, read within <see cref="HttpClient.Timeout"/> from the request to the last byte of the body (a body
    /// that trickles is as late as one that never comes) and refused past <see cref="MaxResponseBytes"/>. Whatever
    /// goes wrong, including an answer that is JSON but not Prometheus's, is a <see cref="PrometheusException"/>.
    /// </summary>
    private async Task<IReadOnlyList<PromSeries>> GetAsync(string relative, string query, CancellationToken cancellationToken)
    {
        using var deadline = Deadline.After(http.Timeout == Timeout.InfiniteTimeSpan ? TimeSpan.FromDays(1) : http.Timeout, cancellationToken);
        try
        {
            using var response = await http.GetAsync(new Uri(baseUrl, relative), HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            await using var body = await BoundedBody.OpenAsync(response, MaxResponseBytes, $"Prometheus's answer at {baseUrl}", deadline.Token);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: deadline.Token);
            var root = document.RootElement;
            var status = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()
                : null;
            switch (status)
            {
                case "success":
                    return Parse(root.GetProperty("data"));
                case "error":
                    var error = root.TryGetProperty("error", out var text) && text.ValueKind == JsonValueKind.String
                        ? UpstreamException.Clip(text.GetString())
                        : $"HTTP {(int)response.StatusCode}";
                    throw new PrometheusException($"Prometheus refused the query {UpstreamException.Clip(query, 120)}: {error}");
                default:
                    throw NotTheApi(null);
            }
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : UpstreamException.Clip(e.Message);
            throw new PrometheusException($"cannot reach Prometheus at {baseUrl}: {reason}.", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PrometheusException($"Prometheus at {baseUrl} did not answer in time.", e);
        }
        catch (UpstreamException e) when (e is not PrometheusException)
        {
            throw new PrometheusException(e.Message, e);
        }
        catch (IOException e)
        {
            throw new PrometheusException($"Prometheus at {baseUrl} broke off its answer.", e);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw NotTheApi(e);
        }

        PrometheusException NotTheApi(Exception? e) => new($"{baseUrl} answered with something that is not Prometheus's API: is {setting} right?", e);
    }

    private static List<PromSeries> Parse(JsonElement data)
    {
        var series = new List<PromSeries>();
        var type = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        if (type == "scalar")
        {
            series.Add(new PromSeries(new Dictionary<string, string>(), [Point(result)]));
            return series;
        }

        foreach (var item in result.EnumerateArray())
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in item.GetProperty("metric").EnumerateObject())
            {
                labels[label.Name] = label.Value.GetString() ?? "";
            }

            var points = new List<(DateTimeOffset, double)>();
            if (item.TryGetProperty("value", out var value))
            {
                points.Add(Point(value));
            }
            else if (item.TryGetProperty("values", out var values))
            {
                points.AddRange(values.EnumerateArray().Select(Point));
            }

            if (points.Count > 0)
            {
                series.Add(new PromSeries(labels, points));
            }
        }

        return series;
    }

    /// <summary>[unix seconds, "value"]; Prometheus writes NaN and ±Inf as strings too.</summary>
    private static (DateTimeOffset, double) Point(JsonElement pair)
    {
        // A time no clock can show is not Prometheus's answer (FormatException: "not the API").
        var seconds = pair[0].GetDouble();
        var time = UnixTime.From(seconds) ?? throw new FormatException("a sample time out of range");
        var text = pair[1].GetString() ?? "NaN";
        var value = text switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return (time, value);
    }

    private static string Unix(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
