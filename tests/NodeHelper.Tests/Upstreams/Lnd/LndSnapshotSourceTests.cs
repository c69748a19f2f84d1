using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Upstreams.Lnd;

/// <summary>One reading of the simulated LND: the values it serves, a locked wallet, each fault, a slow graph.</summary>
public sealed class LndSnapshotSourceTests
{
    [Fact]
    public async Task AnActiveNodeIsReadWholeWithTheCapturesValues()
    {
        await using var lnd = await LndSimulator.StartAsync();
        lnd.State.NumPeers = 7;
        var source = Source(lnd);

        var snapshot = await source.FetchAsync(CancellationToken.None);

        snapshot.WalletState.Should().Be("SERVER_ACTIVE");
        snapshot.Info!.BlockHeight.Should().Be(LndState.CapturedBlockHeight);
        snapshot.Info.Version.Should().StartWith("0.14.3-beta");
        snapshot.Channels!.Channels.Should().HaveCount(3);
        snapshot.Peers.Should().Be(7);
        snapshot.WalletBalance.Should().NotBeNull();
        snapshot.ChannelBalance.Should().NotBeNull();
        snapshot.Pending.Should().NotBeNull();
        snapshot.Fees.Should().NotBeNull();
        snapshot.EndpointProblems!.Values.Should().OnlyContain(p => p == null);

        // The graph is read in the background: there from a later reading on.
        await Eventually.TrueAsync("the graph's background reading", TimeSpan.FromSeconds(20),
            async () => (await source.FetchAsync(CancellationToken.None)).Graph is not null);
    }

    [Fact]
    public async Task ALockedWalletIsAStateNotAFailure()
    {
        await using var lnd = await LndSimulator.StartAsync();
        lnd.State.WalletState = LndWalletState.Locked;

        var snapshot = await Source(lnd).FetchAsync(CancellationToken.None);

        snapshot.WalletState.Should().Be("LOCKED");
        snapshot.Active.Should().BeFalse();
        snapshot.Info.Should().BeNull("every call but /v1/state answers 'wallet locked'");
    }

    [Theory]
    [InlineData(LndFault.MacaroonRejected, "unauthorized")]
    [InlineData(LndFault.Unauthorized, "unauthorized")]
    [InlineData(LndFault.Forbidden, "forbidden")]
    [InlineData(LndFault.Http500, "upstream_error")]
    [InlineData(LndFault.Garbage, "invalid_response")]
    [InlineData(LndFault.HugeBody, "too_large")]
    [InlineData(LndFault.NeverAnswers, "timeout")]
    public async Task EachFaultFailsTheReadingWithItsReason(LndFault fault, string reason)
    {
        await using var lnd = await LndSimulator.StartAsync();
        lnd.State.Fault = fault;

        var failed = await FluentActions.Awaiting(() => Source(lnd, timeoutSeconds: 2).FetchAsync(CancellationToken.None))
            .Should().ThrowAsync<UpstreamException>();

        failed.Which.Reason.Label().Should().Be(reason);
        failed.Which.Message.Should().NotContain(Convert.ToHexString(File.ReadAllBytes(lnd.MacaroonFile)).ToLowerInvariant());
    }

    [Fact]
    public async Task ASlowGraphIsNotWaitedFor()
    {
        await using var lnd = await LndSimulator.StartAsync();
        lnd.State.GraphInfoLatency = TimeSpan.FromSeconds(60);

        // Within a 3 s timeout: a reading that waited for the graph would fail with a timeout.
        var snapshot = await Source(lnd, timeoutSeconds: 3).FetchAsync(CancellationToken.None);

        snapshot.Info.Should().NotBeNull();
        snapshot.Graph.Should().BeNull("the graph has not answered yet");
    }

    private static LndSnapshotSource Source(LndSimulator lnd, double timeoutSeconds = 10) =>
        new(new LndRestClient(lnd.Url, lnd.MacaroonFile, lnd.TlsCertFile, TimeSpan.FromSeconds(5)), timeoutSeconds, TimeProvider.System);
}
