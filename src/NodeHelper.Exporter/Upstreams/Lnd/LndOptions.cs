using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Lnd;

/// <summary>Where LND's REST API answers, the files it is reached with, and the channel backup to watch.</summary>
internal sealed class LndOptions
{
    public const string Section = "Lnd";

    public bool Enabled { get; init; }

    public Uri Url { get; init; } = new("https://127.0.0.1:8080/");

    /// <summary>The readonly macaroon: every call the collector makes is a read (lncli's "readonly" permissions).</summary>
    public string MacaroonFile { get; init; } = "~/.lnd/data/chain/bitcoin/mainnet/readonly.macaroon";

    public string TlsCertFile { get; init; } = "~/.lnd/tls.cert";

    public double TimeoutSeconds { get; init; } = 5;

    public string ChannelBackupFile { get; init; } = "~/.lnd/data/chain/bitcoin/mainnet/channel.backup";

    /// <summary>A copy of channel.backup kept off this disk (a USB stick, a mounted share); null when none is watched.</summary>
    public string? ChannelBackupCopy { get; init; }

    public bool PerChannel { get; init; }

    public static LndOptions Read(SettingsReader settings)
    {
        var d = new LndOptions();
        var url = settings.HttpUrl($"{Section}:Url", d.Url.ToString(), "LND's REST API (restlisten), https://: its certificate is pinned (Lnd:TlsCertFile). http:// only on loopback, for an LND run with no-rest-tls.");
        var options = new LndOptions
        {
            Enabled = settings.Bool($"{Section}:Enabled", d.Enabled, "Collect from LND's REST API. Off unless you run LND."),
            Url = url.AbsolutePath.EndsWith('/') ? url : new Uri(url + "/"),
            MacaroonFile = settings.String($"{Section}:MacaroonFile", d.MacaroonFile,
                "The macaroon sent with every call: LND's readonly.macaroon, or one baked with only the read permissions NodeHelper uses (README, \"LND\"). The exporter's user must be able to read it."),
            TlsCertFile = settings.String($"{Section}:TlsCertFile", d.TlsCertFile,
                "LND's tls.cert: trusted as the only root for Lnd:Url (pinned), and its expiry exported."),
            TimeoutSeconds = settings.Seconds($"{Section}:TimeoutSeconds", d.TimeoutSeconds, 0.1, 300, "Longest wait for LND's answers in one scrape."),
            ChannelBackupFile = settings.String($"{Section}:ChannelBackupFile", d.ChannelBackupFile,
                "LND's channel.backup (static channel backup), whose age is exported and which Lnd:ChannelBackupCopy is compared with."),
            ChannelBackupCopy = settings.String($"{Section}:ChannelBackupCopy", "",
                "A copy of channel.backup off this disk (e.g. /mnt/usb/channel.backup): whether it equals the live file now, by content. Empty: no copy watched.") is { Length: > 0 } copy
                ? copy
                : null,
            PerChannel = settings.Bool($"{Section}:PerChannel", d.PerChannel,
                "Also export one series per open channel, labelled by channel id (never by peer): series grow with the channels."),
        };

        // LND serves REST over TLS unless started with no-rest-tls; a macaroon sent in clear may cross loopback only.
        if (url.Scheme != Uri.UriSchemeHttps && !Loopback.IsLoopbackHost(url.Host))
        {
            settings.Fail($"{Section}:Url", $"may be http:// only for a loopback host (LND's no-rest-tls), not '{url.Host}': the macaroon would cross the network in clear.");
        }

        if (options.ChannelBackupCopy is { } backupCopy && PathExpansion.Full(backupCopy) == PathExpansion.Full(options.ChannelBackupFile))
        {
            settings.Fail($"{Section}:ChannelBackupCopy", "is Lnd:ChannelBackupFile itself: give the copy kept off this disk (e.g. /mnt/usb/channel.backup).");
        }

        return options;
    }
}
