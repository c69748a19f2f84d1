using System.Text;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Simulators.Lnd;

namespace NodeHelper.Tests.Upstreams.Lnd;

/// <summary>The REST client against the LND simulator: the pinned tls.cert, the macaroon header, LND's own answers.</summary>
public sealed class LndRestClientTests
{
    [Fact]
    public async Task WithItsTlsCertPinnedAndItsMacaroonGetinfoAnswers()
    {
        await using var lnd = await LndSimulator.StartAsync();
        using var client = Client(lnd);

        var (status, body) = await client.GetAsync("v1/getinfo", withMacaroon: true, CancellationToken.None);

        status.Should().Be(200);
        Encoding.UTF8.GetString(body).Should().Contain("\"alias\":\"CrazyConqueror\"");
        var (stateStatus, state) = await client.GetAsync("v1/state", withMacaroon: false, CancellationToken.None);
        (stateStatus, Encoding.UTF8.GetString(state)).Should().Be((200, """{"state":"SERVER_ACTIVE"}"""));
    }

    [Fact]
    public async Task AnotherCertificateOnTheSamePortIsRefusedAsTls()
    {
        await using var lnd = await LndSimulator.StartAsync();
        lnd.ServeOtherCertificate();
        using var client = Client(lnd);

        var refused = await FluentActions.Awaiting(() => client.GetAsync("v1/getinfo", withMacaroon: true, CancellationToken.None))
            .Should().ThrowAsync<UpstreamException>();

        refused.Which.Reason.Should().Be(FailureReason.Tls);
        refused.Which.Message.Should().Contain($"not the one pinned in {lnd.TlsCertFile} (Lnd:TlsCertFile), so it was refused");
    }

    [Fact]
    public async Task AMacaroonLndNoLongerAcceptsIsItsAnswerAndNoByteOfItIsInTheMessage()
    {
        await using var lnd = await LndSimulator.StartAsync();
        var old = Convert.ToHexString(await File.ReadAllBytesAsync(lnd.MacaroonFile)).ToLowerInvariant();
        var copy = Path.Join(Path.GetDirectoryName(lnd.MacaroonFile)!, "old.macaroon");
        File.Copy(lnd.MacaroonFile, copy);
        lnd.RotateMacaroon();
        using var client = new LndRestClient(lnd.Url, copy, lnd.TlsCertFile, TimeSpan.FromSeconds(5));

        var (status, body) = await client.GetAsync("v1/getinfo", withMacaroon: true, CancellationToken.None);

        status.Should().Be(500, "LND answers a macaroon it does not accept with grpc-gateway's 500");
        Encoding.UTF8.GetString(body).Should().Contain("verification failed").And.NotContain(old);
    }

    [Fact]
    public async Task AnUnreadableMacaroonFileIsACredentialsFailureNamingTheFileNotItsContent()
    {
        await using var lnd = await LndSimulator.StartAsync();
        using var client = new LndRestClient(lnd.Url, Path.Join(Path.GetTempPath(), "no-such.macaroon"), lnd.TlsCertFile, TimeSpan.FromSeconds(5));

        var failed = await FluentActions.Awaiting(() => client.GetAsync("v1/getinfo", withMacaroon: true, CancellationToken.None))
            .Should().ThrowAsync<UpstreamException>();

        failed.Which.Reason.Should().Be(FailureReason.Credentials);
        failed.Which.Message.Should().Contain("no-such.macaroon").And.Contain("Lnd:MacaroonFile");
    }

    private static LndRestClient Client(LndSimulator lnd) => new(lnd.Url, lnd.MacaroonFile, lnd.TlsCertFile, TimeSpan.FromSeconds(5));
}
