using System.Xml.Linq;
using NodeHelper.Exporter.Status.History;

namespace NodeHelper.Tests.Status;

/// <summary>The sparkline's SVG: well-formed, escaped, self-contained, with gaps as gaps and no division by a flat range.</summary>
public sealed class SparklineSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly DateTimeOffset Start = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ItIsAnAccessibleImageOfWhatAndWhen()
    {
        var svg = Parse(SparklineSvg.Render(Line("Mempool memory", 1, 5, 3), width: 120, height: 30));

        svg.Name.Should().Be(Svg + "svg");
        svg.Attribute("role")!.Value.Should().Be("img");
        svg.Attribute("width")!.Value.Should().Be("120");
        svg.Attribute("height")!.Value.Should().Be("30");
        var label = svg.Attribute("aria-label")!.Value;
        label.Should().Be("Mempool memory, 00:00 UTC to 00:30 UTC: from low to high, latest latest");
        svg.Element(Svg + "title")!.Value.Should().Be(label);
        svg.Elements(Svg + "polyline").Should().ContainSingle().Which.Attribute("points")!.Value.Split(' ').Should().HaveCount(3);
    }

    [Fact]
    public void AHostileTitleIsEscaped()
    {
        const string hostile = "<script>alert('x')</script>\" onload=\"alert(1)";
        var sparkline = Line(hostile, 1, 2) with { Latest = "<img src=x onerror=alert(2)>", Key = "\"><b>" };

        var text = SparklineSvg.Render(sparkline);

        text.Should().NotContain("<script").And.NotContain("<img").And.NotContain("\" onload").And.NotContain("<b>");
        var svg = Parse(text);
        svg.Element(Svg + "title")!.Value.Should().StartWith(hostile, "escaped, it reads back as the text it was");
        svg.Attribute("aria-label")!.Value.Should().Contain("<img src=x onerror=alert(2)>");
        svg.Attributes().Select(a => a.Name.LocalName).Should().NotContain(n => n.StartsWith("on", StringComparison.Ordinal));
    }

    [Fact]
    public void ItNeedsNothingFromElsewhere()
    {
        var text = SparklineSvg.Render(Line("Free disk", 3, 2, 1));

        text.Replace("xmlns=\"http://www.w3.org/2000/svg\"", "", StringComparison.Ordinal)
            .Should().NotContain("http").And.NotContain("href").And.NotContain("url(").And.NotContain("<script").And.NotContain("<style");
    }

    [Fact]
    public void GapsSplitTheLine()
    {
        var svg = Parse(SparklineSvg.Render(Line("Lag", 1, 2, double.NaN, 3, 4, double.NaN, double.NaN, 5, double.NaN, 6, 7)));

        svg.Elements(Svg + "polyline").Select(p => p.Attribute("points")!.Value.Split(' ').Length).Should().Equal(2, 2, 2);
        svg.Elements(Svg + "circle").Should().ContainSingle("the lone 5 between two gaps is a dot");
    }

    [Fact]
    public void AFlatSeriesRunsThroughTheMiddle()
    {
        var text = SparklineSvg.Render(Line("Lag", 0, 0, 0), height: 48);

        text.Should().NotContain("NaN").And.NotContain("Infinity");
        Parse(text).Element(Svg + "polyline")!.Attribute("points")!.Value.Split(' ').Select(p => p.Split(',')[1]).Should().AllBe("24");
    }

    [Fact]
    public void ASinglePointAtOneTimeDoesNotDivideByZero()
    {
        var text = SparklineSvg.Render(Line("Lag", 7));

        text.Should().NotContain("NaN").And.NotContain("Infinity");
        Parse(text).Element(Svg + "circle")!.Attribute("cx")!.Value.Should().Be("120");
    }

    [Fact]
    public void OnlyGapsIsAnEmptyImageThatSaysSo()
    {
        var svg = Parse(SparklineSvg.Render(Line("Lag", double.NaN, double.NaN)));

        svg.Elements().Where(e => e.Name != Svg + "title").Should().BeEmpty();
        svg.Attribute("aria-label")!.Value.Should().EndWith("no data");
    }

    [Fact]
    public void NoPointsIsNothing() => SparklineSvg.Render(new Sparkline("tip_lag", "Lag", [], "", "", "")).Should().BeEmpty();

    private static Sparkline Line(string title, params double[] values) =>
        new("mempool", title, [.. values.Select((v, i) => (Start + TimeSpan.FromMinutes(15 * i), v))], "latest", "low", "high");

    private static XElement Parse(string text) => XElement.Parse(text);
}
