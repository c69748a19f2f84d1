using System.Buffers;
using System.Text;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Scraping;

/// <summary>The text format as the exporter writes it: what Prometheus and promtool read.</summary>
public sealed class MetricSetTests
{
    private static string Render(MetricSet metrics)
    {
        var text = new ArrayBufferWriter<byte>();
        metrics.WriteTo(text);
        return Encoding.UTF8.GetString(text.WrittenSpan);
    }

    [Fact]
    public void FamiliesAreWrittenInOrderWithHelpTypeAndSamples()
    {
        var metrics = new MetricSet();
        metrics.Gauge("test_up", "Whether it answered.", 1);
        var peers = metrics.Family("test_peers", "Peers by network.", "network", "direction");
        peers.WithLabels("ipv4", "inbound").Set(3);
        peers.WithLabels("onion", "outbound").Set(0.5);
        metrics.Counter("test_bytes_total", "Bytes.", 123456789012);

        Render(metrics).Should().Be("""
            # HELP test_up Whether it answered.
            # TYPE test_up gauge
            test_up 1
            # HELP test_peers Peers by network.
            # TYPE test_peers gauge
            test_peers{network="ipv4",direction="inbound"} 3
            test_peers{network="onion",direction="outbound"} 0.5
            # HELP test_bytes_total Bytes.
            # TYPE test_bytes_total counter
            test_bytes_total 123456789012

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void HelpAndLabelValuesAreEscapedAsTheFormatRequires()
    {
        var metrics = new MetricSet();
        metrics.Family("test_info", "A help with a \\ backslash\nand a newline.", "subversion")
            .WithLabels("/Satoshi:27.0.0(\"quoted\" \\ back\nslash)/").Set(1);

        Render(metrics).Should().Be(
            "# HELP test_info A help with a \\\\ backslash\\nand a newline.\n" +
            "# TYPE test_info gauge\n" +
            "test_info{subversion=\"/Satoshi:27.0.0(\\\"quoted\\\" \\\\ back\\nslash)/\"} 1\n");
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(4.656542373906925e-10, "4.656542373906925E-10")]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.75, "-0.75")]
    [InlineData(1795470302, "1795470302")]
    public void ValuesUseTheFormatsSpelling(double value, string text)
    {
        MetricSet.FormatValue(value).Should().Be(text);
        Exposition.Parse($"x {text}\n").Value("x").Should().Be(value);
    }

    [Fact]
    public void AFamilyWithoutSamplesIsLeftOut()
    {
        var metrics = new MetricSet();
        metrics.Family("test_empty", "Nothing in it.", "label");
        metrics.Gauge("test_full", "Something in it.", 2);

        Render(metrics).Should().NotContain("test_empty").And.Contain("test_full 2");
    }

    [Fact]
    public void AWrongNumberOfLabelValuesIsABugCaughtAtOnce()
    {
        var family = new MetricSet().Family("test_pair", "Two labels.", "a", "b");

        var act = () => family.WithLabels("only one");

        act.Should().Throw<ArgumentException>().WithMessage("test_pair has 2 labels, not 1.*");
    }

    [Theory]
    [InlineData("9lives")]
    [InlineData("has-dash")]
    [InlineData("")]
    [InlineData("with space")]
    public void AnInvalidMetricNameIsRefused(string name)
    {
        var act = () => new MetricSet().Gauge(name, "Help.", 1);

        act.Should().Throw<InvalidMetricException>().WithMessage("*is not a valid metric name*");
    }

    [Theory]
    [InlineData("__reserved")]
    [InlineData("colon:label")]
    [InlineData("1st")]
    public void AnInvalidLabelNameIsRefused(string label)
    {
        var act = () => new MetricSet().Family("test_info", "Help.", label);

        act.Should().Throw<InvalidMetricException>().WithMessage("*is not a valid label name*");
    }

    [Fact]
    public void ARepeatedLabelNameIsRefused()
    {
        var act = () => new MetricSet().Family("test_info", "Help.", "a", "a");

        act.Should().Throw<InvalidMetricException>();
    }

    [Fact]
    public void ASecondFamilyOfTheSameNameIsRefused()
    {
        var metrics = new MetricSet();
        metrics.Gauge("test_up", "Help.", 1);

        var act = () => metrics.Family("test_up", "Help again.", "x");

        act.Should().Throw<InvalidMetricException>().WithMessage("test_up is written twice*");
    }

    [Fact]
    public void ASecondSampleWithTheSameLabelValuesIsRefused()
    {
        var reachable = new MetricSet().Family("test_network_reachable", "Help.", "network");
        reachable.WithLabels("ipv4").Set(1);
        reachable.WithLabels("ipv6").Set(0);

        var act = () => reachable.WithLabels("ipv4").Set(0);

        act.Should().Throw<InvalidMetricException>().WithMessage("test_network_reachable{network=\"ipv4\"} is written twice.");
    }

    [Fact]
    public void ASecondUnlabelledSampleIsRefused()
    {
        var metrics = new MetricSet();
        var family = metrics.Family("test_blocks", "Help.");
        family.Unlabelled().Set(1);

        var act = () => family.Unlabelled().Set(2);

        act.Should().Throw<InvalidMetricException>();
    }

    [Fact]
    public void ALabelValueThatIsNotValidUtf16StillRendersAsValidUtf8()
    {
        var metrics = new MetricSet();
        metrics.Family("test_info", "Help.", "server_version").WithLabels("Fulcrum \ud800 2.1").Set(1);

        var bytes = new ArrayBufferWriter<byte>();
        metrics.WriteTo(bytes);

        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        strict.GetString(bytes.WrittenSpan).Should().Contain("server_version=\"Fulcrum \ufffd 2.1\"");
    }

    [Fact]
    public void ACharacterOutsideTheBasicPlaneSurvivesWhereverItFallsInTheText()
    {
        // The text is built in a StringBuilder of several chunks: a surrogate pair split between two of them must
        // still encode as the one character, not as two replacement characters.
        for (var padding = 0; padding < 700; padding++)
        {
            var metrics = new MetricSet();
            var family = metrics.Family("test_info", "Help.", "alias");
            family.WithLabels(new string('x', padding) + "\U0001F680 node").Set(1);

            Render(metrics).Should().Contain("\U0001F680 node", $"with {padding} characters before it");
        }
    }

    [Theory]
    [InlineData(127, 127)]
    [InlineData(126, 128)]
    public void ClippingALabelValueNeverCutsACharacterInTwo(int before, int clippedLength)
    {
        var value = new string('x', before) + "\U0001F680" + new string('y', 10);

        var clipped = LabelValue.Clip(value);

        clipped.Should().HaveLength(clippedLength);
        char.IsHighSurrogate(clipped[^1]).Should().BeFalse();
    }

    [Fact]
    public async Task PromtoolReadsWhatItWrites()
    {
        var metrics = new MetricSet();
        metrics.Gauge("test_up", "Whether it answered.", 1);
        metrics.Family("test_info", "Escapes: \\ and \"quotes\".", "version").WithLabels("a\"b\\c").Set(1);
        metrics.CounterFamily("test_requests_total", "Requests.", "code").WithLabels("200").IncTo(7);
        metrics.Gauge("test_ratio", "A ratio.", double.NaN);

        var lint = await ExternalProcess.PromtoolCheckMetricsAsync(Render(metrics));

        (lint.StandardOutput + lint.StandardError).Should().BeEmpty();
        lint.ExitCode.Should().Be(0);
    }
}
