namespace NodeHelper.Report;

/// <summary>How a fact reads: fine, worth a look, a problem, or just information.</summary>
internal enum Tone
{
    Neutral,
    Good,
    Attention,
    Bad,
}

/// <summary>The report's first line: the worst of what the day held.</summary>
internal enum Verdict
{
    Healthy,
    NeedsAttention,
    Problems,

    /// <summary>Prometheus could not be asked, or had nothing from NodeHelper: the report cannot vouch for the node.</summary>
    CannotTell,
}

/// <summary>One line of a component's card: "Blocks seen" "144".</summary>
internal sealed record Fact(string Label, string Value, Tone Tone = Tone.Neutral);

/// <summary>A component of one node: its availability over the day and what else the day showed.</summary>
internal sealed record ComponentSection(string Title, double? Availability, IReadOnlyList<Fact> Facts)
{
    /// <summary>A probed module whose probe fails now: nothing reads it, whatever its share of the day (its first fact says why).</summary>
    public bool NotRead { get; init; }
}

/// <summary>An alert that fired during the day, from its first to its last evaluation as firing.</summary>
internal sealed record AlertEpisode(string Alert, string Severity, string Detail, DateTimeOffset Start, DateTimeOffset End, bool StillFiring)
{
    public TimeSpan Duration => End - Start;
}

/// <summary>One line of a chart: a series over the day; NaN values are gaps (no data).</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<(DateTimeOffset Time, double Value)> Points);

/// <summary>A small chart of the day, drawn into the mail as an image; <paramref name="Format"/> writes its values for the caption.</summary>
internal sealed record ReportChart(string Id, string Title, IReadOnlyList<ChartSeries> Series, Func<double, string> Format, double? Min = null, double? Max = null);

/// <summary>Everything about one node, how much of the day Prometheus watched it, and its own verdict.</summary>
/// <param name="Name">What the report calls it: its <c>node</c> label, else its instance.</param>
/// <param name="Job">The scrape job its series carry: NodeHelper's own (Report:Job) or its /probe's (Report:ProbeJob).</param>
/// <param name="Probed">A node NodeHelper probes: only its probed modules are watched.</param>
/// <param name="Verdict">The worst of this node's own findings.</param>
internal sealed record NodeSection(string Name, string Job, string Instance, bool Probed, IReadOnlyList<ComponentSection> Components,
    IReadOnlyList<AlertEpisode> Alerts, IReadOnlyList<ReportChart> Charts, TimeSpan Watched, Verdict Verdict);

/// <summary>A sentence of the summary at the top: what happened, in order of importance.</summary>
internal sealed record Finding(Tone Tone, string Text);

/// <summary>The daily health report of every node Prometheus watches (NodeHelper's job, and its /probe job), over [From, To].</summary>
internal sealed record HealthReport(
    DateTimeOffset From,
    DateTimeOffset To,
    string Job,
    Uri Prometheus,
    IReadOnlyList<NodeSection> Nodes,
    IReadOnlyList<Finding> Findings,
    Verdict Verdict)
{
    /// <summary>The job of NodeHelper's /probe whose nodes the report also covers; empty: none.</summary>
    public string ProbeJob { get; init; } = "";

    /// <summary>When making the report failed unexpectedly: the exception, for the log (the report itself says so).</summary>
    public Exception? BuildError { get; init; }

    /// <summary>The longest any node was watched: the whole day, except on a first day.</summary>
    public TimeSpan Watched => Nodes.Count == 0 ? TimeSpan.Zero : Nodes.Max(n => n.Watched);

    public string Headline => HeadlineOf(Verdict);

    /// <summary>How a verdict reads at the top of the mail, and beside each node of several.</summary>
    public static string HeadlineOf(Verdict verdict) => verdict switch
    {
        Verdict.Healthy => "Healthy",
        Verdict.NeedsAttention => "Needs attention",
        Verdict.Problems => "Problems",
        _ => "Cannot tell",
    };

    /// <summary>The nodes whose own verdict is <paramref name="verdict"/>, in the report's order.</summary>
    public IReadOnlyList<NodeSection> NodesJudged(Verdict verdict) => [.. Nodes.Where(n => n.Verdict == verdict)];

    /// <summary>The verdict is the worst tone among the findings; with no node to report on, the report cannot tell.</summary>
    public static Verdict Judge(IReadOnlyList<NodeSection> nodes, IReadOnlyList<Finding> findings)
    {
        if (nodes.Count == 0)
        {
            return Verdict.CannotTell;
        }

        return findings.Select(f => f.Tone).DefaultIfEmpty(Tone.Good).Max() switch
        {
            Tone.Bad => Verdict.Problems,
            Tone.Attention => Verdict.NeedsAttention,
            _ => Verdict.Healthy,
        };
    }
}
