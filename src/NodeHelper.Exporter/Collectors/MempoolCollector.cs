using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Mempool;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The self-hosted mempool.space backend: answering, in sync, its tip, its fee recommendations and mempool, and
/// what it is still loading. Five GETs in parallel per scrape; concurrent scrapes share them.
/// </summary>
internal sealed class MempoolCollector(MempoolClient client, ItemLog items, CancellationToken stopping, RunningVersions? versions = null)
    : SnapshotCollector<MempoolSnapshot>(client.FetchAsync, stopping)
{
    private static readonly UpGauge UpGauge = new("mempool_up", "Whether the mempool backend answered backend-info and blocks/tip/height (1) or not (0).");

    /// <summary>Loading indicators worth a series. Others are per request (address-…, blocktxs-…): unbounded, left out.</summary>
    private static readonly string[] KnownIndicators = ["mempool", "block-indexing"];

    public override string Name => "mempool";

    public override string Description => "mempool.space backend: sync, tip, recommended fees, mempool, loading progress";

    public override UpGauge Up => UpGauge;

    protected override void Write(MetricSet metrics, MempoolSnapshot snapshot)
    {
        items.NoteAll(snapshot.EndpointProblems);
        versions?.Saw("mempool", snapshot.Backend.Version);

        WriteSnapshot(metrics, snapshot);
    }

    /// <summary>Every series of one snapshot but mempool_up.</summary>
    internal static void WriteSnapshot(MetricSet metrics, MempoolSnapshot snapshot)
    {
        var m = metrics;
        m.Family("mempool_build_info", "The backend's version and the kind of backend it reads blocks from: none (bitcoind RPC), esplora or electrum (backend-info).", "version", "backend")
            .WithLabels(LabelValue.Clip(snapshot.Backend.Version), LabelValue.Clip(snapshot.Backend.Backend)).Set(1);
        m.Gauge("mempool_tip_height", "Height of the tip the backend knows (blocks/tip/height).", snapshot.TipHeight);
        if (snapshot.Synced is { } synced)
        {
            m.Gauge("mempool_synced", "Whether the backend's mempool is in sync: fees/recommended answers 200 (1) or 503 (0).", synced ? 1 : 0);
        }

        if (snapshot.Fees is { } fees)
        {
            var fee = m.Family("mempool_recommended_fee_sat_per_vbyte", "Fee rate the backend recommends for each target (fees/recommended).", "target");
            fee.WithLabels("fastest").Set(fees.FastestFee);
            fee.WithLabels("half_hour").Set(fees.HalfHourFee);
            fee.WithLabels("hour").Set(fees.HourFee);
            fee.WithLabels("economy").Set(fees.EconomyFee);
            fee.WithLabels("minimum").Set(fees.MinimumFee);
        }

        if (snapshot.Mempool is { } mempool)
        {
            m.Gauge("mempool_transactions", "Transactions in the backend's view of the mempool (mempool.count).", mempool.Count);
            m.Gauge("mempool_vsize_bytes", "Their total virtual size (mempool.vsize).", mempool.Vsize);
            if (mempool.TotalFee is { } totalFee)
            {
                m.Gauge("mempool_total_fee_sat", "Their total fees, in satoshis (mempool.total_fee).", totalFee);
            }
        }

        if (snapshot.Init is { } init)
        {
            WriteInitData(m, init);
        }

        var endpoints = m.Family("mempool_endpoint_success", "Whether the backend answered this endpoint usefully in the scrape (1) or not (0); 503 on fees/recommended counts as an answer.", "endpoint");
        foreach (var (endpoint, problem) in snapshot.EndpointProblems)
        {
            endpoints.WithLabels(endpoint).Set(problem is null ? 1 : 0);
        }
    }

    private static void WriteInitData(MetricSet m, InitData init)
    {
        var progress = m.Family("mempool_loading_progress_ratio",
            "Progress of what the backend is loading, 0 to 1; 1 when it is not loading it (init-data.loadingIndicators: mempool sync, block indexing).", "indicator");
        foreach (var indicator in KnownIndicators)
        {
            var percent = init.LoadingIndicators?.GetValueOrDefault(indicator, 100) ?? 100;
            progress.WithLabels(indicator).Set(Math.Clamp(percent, 0, 100) / 100);
        }

        if (init.VbytesPerSecond is { } incoming)
        {
            m.Gauge("mempool_incoming_vbytes_per_second", "Virtual bytes entering the mempool per second (init-data.vBytesPerSecond).", incoming);
        }

        if (init.DifficultyAdjustment is { } da)
        {
            m.Gauge("mempool_difficulty_adjustment_progress_ratio", "How far the current difficulty period is, 0 to 1 (init-data.da.progressPercent).", da.ProgressPercent / 100);
            m.Gauge("mempool_difficulty_adjustment_estimated_change_ratio", "Estimated change of difficulty at the next adjustment, as a ratio (init-data.da.difficultyChange).", da.DifficultyChange / 100);
            m.Gauge("mempool_difficulty_adjustment_remaining_blocks", "Blocks left in the current difficulty period (init-data.da.remainingBlocks).", da.RemainingBlocks);
            m.Gauge("mempool_difficulty_adjustment_estimated_timestamp_seconds", "Estimated time of the next adjustment, Unix seconds (init-data.da.estimatedRetargetDate).", da.EstimatedRetargetDateMilliseconds / 1000);
        }
    }
}
