using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>Where the self-hosted mempool.space backend answers, and the public front end (nginx) to probe.</summary>
internal sealed class MempoolOptions
{
    public const string Section = "Mempool";

    public bool Enabled { get; init; }

    public Uri Url { get; init; } = new("http://127.0.0.1:8999/api/v1/");

    public double TimeoutSeconds { get; init; } = 5;

    /// <summary>The front end users open, through nginx; null when not probed.</summary>
    public Uri? FrontendUrl { get; init; }

    public bool FrontendTlsVerify { get; init; } = true;

    public static MempoolOptions Read(SettingsReader settings)
    {
        var d = new MempoolOptions();
        var enabled = settings.Bool($"{Section}:Enabled", d.Enabled, "Collect from the mempool.space backend's API. Off unless you run one.");
        var url = settings.HttpUrl($"{Section}:Url", d.Url.ToString(), "The backend's API base, ending in /api/v1/ (the backend itself, not nginx).");
        var options = new MempoolOptions
        {
            Enabled = enabled,
            Url = url.AbsolutePath.EndsWith('/') ? url : new Uri(url + "/"),
            TimeoutSeconds = settings.Seconds($"{Section}:TimeoutSeconds", d.TimeoutSeconds, 0.1, 300,
                "Longest wait for the backend's answers, and for the front end's."),
            FrontendUrl = settings.OptionalHttpUrl($"{Section}:FrontendUrl",
                "The public front end through nginx, e.g. https://mempool.example.org/; probed for status, latency and TLS expiry. Empty: no probe."),
            FrontendTlsVerify = settings.Bool($"{Section}:FrontendTlsVerify", d.FrontendTlsVerify,
                "Verify the front end's TLS certificate; false (for a self-signed one) is allowed only for a loopback host."),
        };

        if (options.FrontendUrl is { } front && !options.FrontendTlsVerify && !Loopback.IsLoopbackHost(front.Host))
        {
            settings.Fail($"{Section}:FrontendTlsVerify", $"may be false only for a loopback front end, not '{front.Host}'.");
        }

        return options;
    }
}
