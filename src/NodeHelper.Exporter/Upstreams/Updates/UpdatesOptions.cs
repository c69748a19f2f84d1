using NodeHelper.Core.Configuration;

namespace NodeHelper.Exporter.Upstreams.Updates;

/// <summary>Where the version feed is; NodeHelper itself never asks the internet (docs/update-feed.md).</summary>
internal sealed class UpdatesOptions
{
    public const string Section = "Updates";

    /// <summary>The feed file; empty: no feed, and no updates collector.</summary>
    public string FeedFile { get; init; } = "";

    public static UpdatesOptions Read(SettingsReader settings) => new()
    {
        FeedFile = settings.String($"{Section}:FeedFile", "",
            "A version feed file (JSON: the latest release of each component, docs/update-feed.md) that a job or the operator keeps up to date, e.g. /var/lib/nodehelper/update-feed.json; NodeHelper compares it with what runs. Empty: no update checks."),
    };
}
