using System.Text;

namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>
/// The text of one statement of a configuration file (apt's, nft's) as a scanner collects it, with quoted strings
/// kept whole: inside quotes, comment and punctuation characters are text, not grammar.
/// </summary>
internal sealed class StatementText
{
    private readonly StringBuilder _text = new();
    private bool _inQuote;

    /// <summary>Appends <paramref name="c"/> when it is inside a quoted string or a quote itself; true when it did, and the grammar must not see it.</summary>
    public bool TakeQuoted(char c)
    {
        if (!_inQuote && c != '"')
        {
            return false;
        }

        _text.Append(c);
        _inQuote = c == '"' ? !_inQuote : _inQuote;
        return true;
    }

    public void Append(char c) => _text.Append(c);

    /// <summary>The statement so far, trimmed; the text starts over.</summary>
    public string Take()
    {
        var text = _text.ToString().Trim();
        _text.Clear();
        return text;
    }
}
