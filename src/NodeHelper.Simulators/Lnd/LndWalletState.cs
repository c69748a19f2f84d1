namespace NodeHelper.Simulators.Lnd;

/// <summary>
/// lnrpc.WalletState as <c>GET /v1/state</c> names it (lnrpc/stateservice.swagger.json); the order is LND's start-up
/// (rpcperms/interceptor.go: waitingToStart, walletNotCreated, walletLocked, walletUnlocked, rpcActive, serverActive).
/// </summary>
public enum LndWalletState
{
    /// <summary>WAITING_TO_START: lnd is starting (or waiting to be elected leader).</summary>
    WaitingToStart,

    /// <summary>NON_EXISTING: no wallet has been created yet.</summary>
    NonExisting,

    /// <summary>LOCKED: the wallet exists and waits for its password (after every restart without auto-unlock).</summary>
    Locked,

    /// <summary>UNLOCKED: the wallet is unlocked, the RPC server not yet ready.</summary>
    Unlocked,

    /// <summary>RPC_ACTIVE: the RPC server accepts calls.</summary>
    RpcActive,

    /// <summary>SERVER_ACTIVE: lnd is fully started.</summary>
    ServerActive,
}
