using System.Text;
using System.Text.Json;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Simulators;

namespace NodeHelper.Tests.Upstreams.Electrum;

/// <summary>Layer 1: the Electrum answers of the captured Fulcrum session.</summary>
public sealed class ElectrumParsersTests
{
    /// <summary>The captured answer lines, in order: version, headers.subscribe, ping, features, banner, estimatefee, histogram, unknown method, parse error.</summary>
    private static readonly string[] Answers = [.. Fixtures.Read("electrum/fulcrum-session.txt").Split('\n')
        .Where(l => l.StartsWith("< ", StringComparison.Ordinal)).Select(l => l[2..])];

    private static JsonElement ResultOf(int line, int id, string method)
    {
        using var document = ElectrumParsers.ParseLine(Encoding.UTF8.GetBytes(Answers[line]), method);
        return ElectrumParsers.Result(document.RootElement, id, method);
    }

    [Fact]
    public void VersionAnswerNamesTheSoftwareAndTheProtocol()
    {
        ElectrumParsers.Version(ResultOf(0, 0, "server.version")).Should().Be(("Fulcrum 2.1.1", "1.4"));
    }

    [Fact]
    public void TipAnswerGivesTheHeightAndTheTimeInsideTheHeader()
    {
        var (height, timestamp) = ElectrumParsers.Tip(ResultOf(1, 1, "blockchain.headers.subscribe"));

        height.Should().Be(150);
        // Bytes 68-71 of the captured header, little-endian: 0x6b04b445 read as 45 b4 04 6b.
        timestamp.Should().Be(0x6b04b445).And.Be(1795470405, "the header of block 150 in the capture");
    }

    [Fact]
    public void PingAnswersNull()
    {
        ResultOf(2, 2, "server.ping").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void AnErrorAnswerSaysWhatTheServerSaid()
    {
        var act = () => ResultOf(7, 7, "no.such.method");

        act.Should().Throw<UpstreamException>().WithMessage("*answered no.such.method with an error: Unsupported request: no.such.method");
    }

    [Fact]
    public void AnAnswerWithAnotherIdIsRejected()
    {
        var act = () => ResultOf(0, 5, "server.version");

        act.Should().Throw<UpstreamException>().WithMessage("*does not carry its id 5*");
    }

    [Fact]
    public void TheParseErrorAnswerHasANullId()
    {
        var act = () => ResultOf(8, 9, "server.ping");

        act.Should().Throw<UpstreamException>().WithMessage("*does not carry its id*");
    }

    [Theory]
    [InlineData("""{"height":150}""")]
    [InlineData("""{"height":150,"hex":"zz"}""")]
    [InlineData("""{"height":150,"hex":"0000"}""")]
    [InlineData("""{"height":-1,"hex":"00"}""")]
    [InlineData("""[150]""")]
    public void ATipAnswerOfTheWrongShapeIsRejected(string result)
    {
        using var document = JsonDocument.Parse(result);

        var act = () => ElectrumParsers.Tip(document.RootElement);

        act.Should().Throw<UpstreamException>();
    }

    [Fact]
    public void ALineThatIsNotJsonIsRejected()
    {
        var act = () => ElectrumParsers.ParseLine(Encoding.UTF8.GetBytes("<html>"), "server.version");

        act.Should().Throw<UpstreamException>().WithMessage("*answered server.version with a line that is not JSON*");
    }
}
