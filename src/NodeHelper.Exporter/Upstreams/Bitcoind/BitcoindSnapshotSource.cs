namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Fetches snapshots, one batch each, and keeps the stats of the newest block: they are asked for once per block
/// (again only when that failed), in the batch after the one that first saw the block, so every scrape stays one
/// HTTP request.
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
        var reply = await client.CallBatchAsync(plan, cancellationToken);
        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out var stats);

        if (askForStats is not null && stats is not null)
        {
            // Answered: not asked for again. A block whose stats failed is asked for again in the next batch, until
            // answered or no longer the best block, so a lasting failure shows in every scrape (NodeHelperItemFailing).
            _statsAskedFor = askForStats;
            _latestBlockStats = stats;
        }

        // A getblockchaininfo that failed its checks leaves the last known best block in place.
        _bestBlockHash = snapshot.Chain?.BestBlockHash ?? _bestBlockHash;
        return snapshot with { LatestBlockStats = _latestBlockStats };
    }
}
