using System.Text;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Mempool;
using NodeHelper.Simulators;

namespace NodeHelper.Tests.Upstreams.Mempool;

/// <summary>Layer 1: the mempool backend's recorded answers, in sync and while starting.</summary>
public sealed class MempoolParsersTests
{
    private static EndpointAnswer Recorded(string httpFixture) =>
        new(Fixtures.ReadHttpStatus($"mempool/http/{httpFixture}.http"), Encoding.UTF8.GetBytes(Fixtures.ReadHttpBody($"mempool/http/{httpFixture}.http")), null);

    private static Dictionary<string, EndpointAnswer> InSync() => new()
    {
        [MempoolParsers.BackendInfoPath] = Recorded("backend-info"),
        [MempoolParsers.TipHeightPath] = Recorded("blocks-tip-height"),
        [MempoolParsers.FeesPath] = Recorded("fees-recommended"),
        [MempoolParsers.MempoolPath] = Recorded("mempool"),
        [MempoolParsers.InitDataPath] = Recorded("init-data"),
    };

    [Fact]
    public void AnswersInSyncBecomeASnapshot()
    {
        var snapshot = MempoolParsers.Parse(InSync());

        snapshot.Backend.Should().Be(new BackendInfo("?", "none", "?", "/Satoshi:31.99.0/"));
        snapshot.TipHeight.Should().Be(150);
        snapshot.Synced.Should().BeTrue();
        snapshot.Fees.Should().Be(new RecommendedFees(1, 1, 1, 1, 1));
        snapshot.Mempool.Should().Be(new MempoolSummary(5, 906, 11788));
        snapshot.Init!.LoadingIndicators.Should().BeEmpty();
        snapshot.Init.VbytesPerSecond.Should().Be(0);
        snapshot.Init.DifficultyAdjustment.Should().BeEquivalentTo(new { ProgressPercent = 7.440476190476191, DifficultyChange = -75.0, RemainingBlocks = 1866L });
        snapshot.EndpointProblems.Values.Should().OnlyContain(problem => problem == null);
    }

    [Fact]
    public void WhileStartingFeesAre503AndTheMempoolIsLoading()
    {
        var answers = InSync();
        answers[MempoolParsers.FeesPath] = Recorded("fees-recommended-starting-503");
        answers[MempoolParsers.TipHeightPath] = Recorded("blocks-tip-height-starting");
        answers[MempoolParsers.InitDataPath] = Recorded("init-data-starting");

        var snapshot = MempoolParsers.Parse(answers);

        snapshot.Synced.Should().BeFalse();
        snapshot.Fees.Should().BeNull();
        snapshot.TipHeight.Should().Be(144, "the height from its disk cache, six blocks behind bitcoind");
        snapshot.Init!.LoadingIndicators.Should().Equal(new Dictionary<string, double> { ["mempool"] = 0 });
        snapshot.EndpointProblems[MempoolParsers.FeesPath].Should().BeNull("503 is the backend telling its state, not a failure");
    }

    [Fact]
    public void TheTipHeightIsPlainText()
    {
        MempoolParsers.TipHeight(Recorded("blocks-tip-height")).Should().Be(150);
        MempoolParsers.TipHeight(new EndpointAnswer(200, "{\"height\":1}"u8.ToArray(), null)).Should().BeNull();
    }

    [Theory]
    [InlineData(MempoolParsers.BackendInfoPath, "*backend-info answer is not what the backend sends*")]
    [InlineData(MempoolParsers.TipHeightPath, "*blocks/tip/height answer is not what the backend sends*")]
    public void WithoutBackendInfoOrTipThereIsNoSnapshot(string path, string message)
    {
        var answers = InSync();
        answers[path] = new EndpointAnswer(200, "<html>"u8.ToArray(), null);

        var act = () => MempoolParsers.Parse(answers);

        act.Should().Throw<UpstreamException>().WithMessage(message);
    }

    [Fact]
    public void AnErrorStatusOnAnEssentialEndpointIsNamed()
    {
        var answers = InSync();
        answers[MempoolParsers.BackendInfoPath] = new EndpointAnswer(502, [], null);

        var act = () => MempoolParsers.Parse(answers);

        act.Should().Throw<UpstreamException>().WithMessage("the mempool backend answered backend-info with HTTP 502.");
    }

    [Fact]
    public void AFailedSideEndpointIsAnItemFailure()
    {
        var answers = InSync();
        answers[MempoolParsers.InitDataPath] = new EndpointAnswer(500, "Internal Server Error"u8.ToArray(), null);
        answers[MempoolParsers.FeesPath] = new EndpointAnswer(0, [], "no answer within 5 s");

        var snapshot = MempoolParsers.Parse(answers);

        snapshot.Init.Should().BeNull();
        snapshot.Synced.Should().BeNull("a fees endpoint that did not answer says nothing about sync");
        snapshot.EndpointProblems.Where(e => e.Value != null).Select(e => e.Key).Should().BeEquivalentTo(MempoolParsers.InitDataPath, MempoolParsers.FeesPath);
    }
}
