namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Fetches snapshots, one batch each, and keeps the stats of the newest block: they are asked for once per block,
/// in the batch after the one that first saw the block, so every scrape stays one HTTP request.
/// Not thread-safe by design: the collector's single flight lets only one fetch run at a time.
/// </summary>
internal sealed class BitcoindSnapshotSource(BitcoindRpcClient client, BitcoindOptions options)
{
    private string? _bestBlockHash;
    private string? _statsAskedFor;
    private BlockStats? _latestBlockStats;

    public async Task<BitcoindSnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        var askForStats = _bestBlockHash is not null && _bestBlockHash != _statsAskedFor ? _bestBlockHash : null;
        var plan = new BitcoindBatchPlan(options.FeeTargets, askForStats);
        using var reply = await client.CallBatchAsync(plan.Calls, cancellationToken);
        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out var stats);

        if (askForStats is not null)
        {
            // Asked once per block: a block whose stats failed (pruned away, reorged out) is not asked for again.
            _statsAskedFor = askForStats;
            if (stats is not null)
            {
                _latestBlockStats = stats;
            }
        }

        // A getblockchaininfo that failed its checks leaves the last known best block in place.
        _bestBlockHash = snapshot.Chain?.BestBlockHash ?? _bestBlockHash;
        return snapshot with { LatestBlockStats = _latestBlockStats };
    }
}
