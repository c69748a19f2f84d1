namespace NodeHelper.Simulators.Lnd;

/// <summary>
/// What the simulated LND reports. Starts as the capture (lnd 0.14.3-beta, mainnet, height 750112, synced, 241 peers,
/// the three channels of channels.json; SERVER_ACTIVE, nothing pending); <see cref="Reset"/> goes back to it.
/// Thread-safe: tests and the demo change it while requests are answered; every read the simulator makes is one
/// consistent <see cref="LndStateSnapshot"/>.
/// </summary>
public sealed class LndState
{
    /// <summary>The capture's getinfo values.</summary>
    public const long CapturedBlockHeight = 750112;

    public const long CapturedBestHeaderTimestamp = 1660904009;

    public const int CapturedPeers = 241;

    public const int CapturedActiveChannels = 3;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, bool> _channelActive = new(StringComparer.Ordinal);
    private readonly List<LndHtlc> _htlcs = [];
    private readonly List<LndForceClose> _forceCloses = [];
    private readonly List<(string ChannelPoint, long CapacitySat, long LimboBalanceSat)> _waitingClose = [];
    private readonly List<(string ChannelPoint, long CapacitySat)> _pendingOpen = [];
    private LndFault _fault;
    private LndWalletState _walletState;
    private TimeSpan _latency;
    private TimeSpan _graphInfoLatency;
    private long _blockHeight = CapturedBlockHeight;
    private long _bestHeaderTimestamp = CapturedBestHeaderTimestamp;
    private bool _syncedToChain;
    private bool _syncedToGraph;
    private int _numPeers;
    private int _numActiveChannels;
    private int _numInactiveChannels;
    private long _confirmedBalance;
    private long _unconfirmedBalance;
    private long _lockedBalance;
    private long _reservedAnchor;
    private (long Day, long Week, long Month) _feeSums;
    private (int Nodes, int Channels, long CapacitySat) _graph;

    public LndState() => Reset();

    public LndFault Fault { get => Get(() => _fault); set => Set(() => _fault = value); }

    /// <summary>What /v1/state says; every other call fails as LND's interceptor makes it fail before RPC_ACTIVE.</summary>
    public LndWalletState WalletState { get => Get(() => _walletState); set => Set(() => _walletState = value); }

    /// <summary>Delay before each answer.</summary>
    public TimeSpan Latency { get => Get(() => _latency); set => Set(() => _latency = value); }

    /// <summary>Extra delay before /v1/graph/info only (it walks the whole graph: seconds on mainnet).</summary>
    public TimeSpan GraphInfoLatency { get => Get(() => _graphInfoLatency); set => Set(() => _graphInfoLatency = value); }

    /// <summary>getinfo.block_height; also what force closes and HTLCs count their blocks_til_maturity from.</summary>
    public long BlockHeight { get => Get(() => _blockHeight); set => Set(() => _blockHeight = value); }

    /// <summary>getinfo.best_header_timestamp: the time in the header of the best block, Unix seconds.</summary>
    public long BestHeaderTimestamp { get => Get(() => _bestHeaderTimestamp); set => Set(() => _bestHeaderTimestamp = value); }

    public bool SyncedToChain { get => Get(() => _syncedToChain); set => Set(() => _syncedToChain = value); }

    public bool SyncedToGraph { get => Get(() => _syncedToGraph); set => Set(() => _syncedToGraph = value); }

    /// <summary>getinfo.num_peers, and how many peers /v1/peers lists.</summary>
    public int NumPeers { get => Get(() => _numPeers); set => Set(() => _numPeers = value); }

    /// <summary>getinfo.num_active_channels; <see cref="SetChannelActive"/> keeps it in step.</summary>
    public int NumActiveChannels { get => Get(() => _numActiveChannels); set => Set(() => _numActiveChannels = value); }

    public int NumInactiveChannels { get => Get(() => _numInactiveChannels); set => Set(() => _numInactiveChannels = value); }

    /// <summary>/v1/balance/blockchain, sat.</summary>
    public long ConfirmedBalanceSat { get => Get(() => _confirmedBalance); set => Set(() => _confirmedBalance = value); }

    public long UnconfirmedBalanceSat { get => Get(() => _unconfirmedBalance); set => Set(() => _unconfirmedBalance = value); }

    public long LockedBalanceSat { get => Get(() => _lockedBalance); set => Set(() => _lockedBalance = value); }

    /// <summary>reserved_balance_anchor_chan: what LND keeps on chain to fee-bump anchor channels' force closes.</summary>
    public long ReservedBalanceAnchorChanSat { get => Get(() => _reservedAnchor); set => Set(() => _reservedAnchor = value); }

    /// <summary>/v1/fees day_fee_sum, week_fee_sum, month_fee_sum, sat.</summary>
    public (long Day, long Week, long Month) FeeSums { get => Get(() => _feeSums); set => Set(() => _feeSums = value); }

    /// <summary>/v1/graph/info num_nodes, num_channels, total_network_capacity (sat).</summary>
    public (int Nodes, int Channels, long CapacitySat) Graph { get => Get(() => _graph); set => Set(() => _graph = value); }

    /// <summary>
    /// A channel of channels.json (by chan_id) goes active or inactive (its peer vanished); getinfo's active/inactive
    /// counts follow.
    /// </summary>
    public void SetChannelActive(string chanId, bool active)
    {
        lock (_lock)
        {
            var current = _channelActive.TryGetValue(chanId, out var set) ? set : CapturedChannels.IsActive(chanId);
            _channelActive[chanId] = active;
            if (current != active)
            {
                _numActiveChannels += active ? 1 : -1;
                _numInactiveChannels += active ? -1 : 1;
            }
        }
    }

    /// <summary>An HTLC in flight in an open channel; <see cref="ClearHtlcs"/> settles them all.</summary>
    public void AddHtlc(LndHtlc htlc)
    {
        lock (_lock)
        {
            _htlcs.Add(htlc);
        }
    }

    public void ClearHtlcs()
    {
        lock (_lock)
        {
            _htlcs.Clear();
        }
    }

    /// <summary>A force close appears in pending_force_closing_channels; getinfo's num_pending_channels counts it.</summary>
    public void AddForceClose(LndForceClose forceClose)
    {
        lock (_lock)
        {
            _forceCloses.Add(forceClose);
        }
    }

    /// <summary>A close transaction broadcast but not yet confirmed (waiting_close_channels).</summary>
    public void AddWaitingClose(string channelPoint, long capacitySat, long limboBalanceSat)
    {
        lock (_lock)
        {
            _waitingClose.Add((channelPoint, capacitySat, limboBalanceSat));
        }
    }

    /// <summary>A funding transaction not yet confirmed (pending_open_channels).</summary>
    public void AddPendingOpen(string channelPoint, long capacitySat)
    {
        lock (_lock)
        {
            _pendingOpen.Add((channelPoint, capacitySat));
        }
    }

    /// <summary>
    /// Rewrites of an answer by its path (/v1/getinfo), applied last: absurd values in well-formed JSON, as a buggy or
    /// hostile LND would send them (a negative balance, a height of 2^40).
    /// </summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, Func<System.Text.Json.Nodes.JsonNode, System.Text.Json.Nodes.JsonNode>> Rewrites { get; } = new(StringComparer.Ordinal);

    /// <summary>Extra delay before the answer of one path (/v1/fees): one slow call among quick ones.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, TimeSpan> PathLatency { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Back to the capture: no fault, no latency, SERVER_ACTIVE, synced, the captured peers and channels (1337 active),
    /// nothing pending, no HTLCs, no rewrites, the default balances, fees and graph. The block height and its header time stay:
    /// they are the chain's (the demo's stack keeps them at its bitcoind's tip), not something scripted.
    /// </summary>
    public void Reset()
    {
        lock (_lock)
        {
            _fault = LndFault.None;
            _walletState = LndWalletState.ServerActive;
            _latency = TimeSpan.Zero;
            _graphInfoLatency = TimeSpan.Zero;
            _syncedToChain = true;
            _syncedToGraph = true;
            _numPeers = CapturedPeers;
            _numActiveChannels = CapturedActiveChannels;
            _numInactiveChannels = 0;
            _channelActive.Clear();
            // The capture's getinfo counts three active channels; its channels.json leaves "active" out of the synthetic
            // channel 1337 (protobuf's false): it starts active so that the two answers agree, as one LND's would.
            _channelActive["1337"] = true;
            _htlcs.Clear();
            _forceCloses.Clear();
            _waitingClose.Clear();
            _pendingOpen.Clear();
            _confirmedBalance = 250_000;
            _unconfirmedBalance = 0;
            _lockedBalance = 0;
            _reservedAnchor = 30_000;
            _feeSums = (12, 95, 410);
            _graph = (16_342, 71_118, 524_431_903_155);
        }

        Rewrites.Clear();
        PathLatency.Clear();
    }

    /// <summary>Everything at once, under the lock, for one answer.</summary>
    public LndStateSnapshot Take()
    {
        lock (_lock)
        {
            return new LndStateSnapshot(
                _fault, _walletState, _latency, _graphInfoLatency, _blockHeight, _bestHeaderTimestamp, _syncedToChain, _syncedToGraph, _numPeers,
                _numActiveChannels, _numInactiveChannels, _forceCloses.Count + _waitingClose.Count + _pendingOpen.Count,
                new Dictionary<string, bool>(_channelActive, StringComparer.Ordinal), [.. _htlcs], [.. _forceCloses], [.. _waitingClose],
                [.. _pendingOpen], _confirmedBalance, _unconfirmedBalance, _lockedBalance, _reservedAnchor, _feeSums, _graph);
        }
    }

    private T Get<T>(Func<T> read)
    {
        lock (_lock)
        {
            return read();
        }
    }

    private void Set(Action write)
    {
        lock (_lock)
        {
            write();
        }
    }
}
