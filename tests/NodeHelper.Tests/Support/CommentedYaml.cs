namespace NodeHelper.Tests.Support;

/// <summary>
/// Uncommenting an optional block of a shipped YAML file as a user does: one <c>#</c> removed from a line and from the
/// lines under it, so what is tested is the shipped text and not a copy of it.
/// </summary>
internal static class CommentedYaml
{
    /// <summary>
    /// Removes one level of comment from the line that reads <paramref name="header"/> (after its indentation) and from
    /// every following line commented at that indentation and indented deeper (<c>#</c> then at least two spaces);
    /// their own comments (<c># #</c>) become comments. Fails when the line is not in <paramref name="text"/>.
    /// </summary>
    public static string Uncomment(string text, string header)
    {
        var lines = text.Split('\n');
        var at = Array.FindIndex(lines, l => l.TrimStart() == header);
        if (at < 0 || !header.StartsWith("# ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The shipped file no longer has the commented line `{header}`, which the test uncomments.");
        }

        var indentation = lines[at][..(lines[at].Length - lines[at].TrimStart().Length)];
        lines[at] = indentation + lines[at][(indentation.Length + 2)..];
        for (var i = at + 1; i < lines.Length && lines[i].StartsWith(indentation + "#  ", StringComparison.Ordinal); i++)
        {
            lines[i] = indentation + lines[i][(indentation.Length + 2)..];
        }

        return string.Join('\n', lines);
    }
}
