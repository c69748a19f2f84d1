using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>
/// The HTTP part of talking to Alertmanager or Prometheus for the status page: one request, read within the status
/// timeout from the request to the last byte of the body, refused past <see cref="MaxResponseBytes"/>. Whatever goes
/// wrong is an <see cref="UpstreamException"/> whose message names the upstream, its address (never its user info)
/// and the setting to check.
/// </summary>
internal sealed class AlertUpstream
{
    /// <summary>Thousands of alerts are a few MiB; more is not an answer the page can use.</summary>
    public const int MaxResponseBytes = 8 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    /// <param name="name">"Alertmanager" or "Prometheus", for messages.</param>
    /// <param name="setting">The setting its URL came from, for messages: "Status:AlertmanagerUrl".</param>
    public AlertUpstream(HttpClient http, string name, string setting, Uri baseUrl, double timeoutSeconds)
    {
        _http = http;
        _timeout = TimeSpan.FromSeconds(timeoutSeconds);
        Name = name;
        Setting = setting;
        BaseUrl = WithTrailingSlash(baseUrl);
        Shown = WithoutSecrets(BaseUrl);
    }

    public string Name { get; }

    public string Setting { get; }

    /// <summary>The base URL with a trailing slash, so that a path prefix (http://host/alertmanager/) is kept.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The base URL for messages: no user info, no query.</summary>
    public string Shown { get; }

    /// <summary>GET <paramref name="relative"/>: the JSON answer (a 2xx status), or an <see cref="UpstreamException"/>.</summary>
    public async Task<JsonElement> GetJsonAsync(string relative, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, relative, null, cancellationToken) ?? throw NotTheApi(null);

    /// <summary>
    /// One request: the JSON answer of a 2xx status (null when its body is empty), or an <see cref="UpstreamException"/>
    /// (HttpError with the upstream's own words, clipped, for any other status).
    /// </summary>
    public async Task<JsonElement?> SendAsync(HttpMethod method, string relative, HttpContent? content, CancellationToken cancellationToken)
    {
        using var deadline = Deadline.After(_timeout, cancellationToken);
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(BaseUrl, relative)) { Content = content };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var body = await BoundedBody.ReadAsync(response, MaxResponseBytes, $"{Name}'s answer at {Shown} ({Setting})", deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new UpstreamException(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? FailureReason.Unauthorized : FailureReason.HttpError,
                    $"{Name} at {Shown} ({Setting}) answered HTTP {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}{Words(body)}.");
            }

            if (body.Length == 0)
            {
                return null;
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(FailureReason.Timeout,
                $"{Name} at {Shown} ({Setting}) did not answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (Status:TimeoutSeconds).", e);
        }
        catch (JsonException e)
        {
            throw NotTheApi(e);
        }
        catch (Exception e) when (e is not UpstreamException && TransportFailure.IsTransport(e))
        {
            var (reason, cause) = TransportFailure.Describe(e);
            throw new UpstreamException(reason, $"cannot read {Name} at {Shown}: {cause}. Is {Setting} right?", e);
        }
    }

    public UpstreamException NotTheApi(Exception? inner) =>
        new(FailureReason.InvalidResponse, $"{Shown} answered with something that is not {Name}'s API: is {Setting} right?", inner);

    private static string Words(byte[] body)
    {
        var text = UpstreamException.Clip(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 1024)).Trim());
        return text.Length == 0 ? "" : $": {text}";
    }

    private static Uri WithTrailingSlash(Uri url)
    {
        if (url.AbsolutePath.EndsWith('/'))
        {
            return url;
        }

        var builder = new UriBuilder(url);
        builder.Path += "/";
        return builder.Uri;
    }

    private static string WithoutSecrets(Uri url) =>
        new UriBuilder(url) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri.ToString();
}
