namespace NodeHelper.Exporter.Probe;

/// <summary>What a probe module reads: the same collector as this node's own upstream of that name.</summary>
internal enum ProbeKind
{
    Bitcoind,
    Electrum,
    Mempool,
    Lnd,
}
