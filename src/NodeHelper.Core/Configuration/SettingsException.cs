namespace NodeHelper.Core.Configuration;

/// <summary>The settings are wrong; the message lists every problem, one per line, each naming its key.</summary>
internal sealed class SettingsException(IReadOnlyList<string> problems)
    : Exception("Invalid settings:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
