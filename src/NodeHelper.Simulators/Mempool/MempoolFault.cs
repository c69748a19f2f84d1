using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Mempool;

/// <summary>Ways the mempool backend (or the network in front of it) can fail besides not being in sync.</summary>
public enum MempoolFault
{
    /// <summary>Answers as captured.</summary>
    None,

    /// <summary>Every endpoint answers HTTP 500 with an error text, as Express does on an exception.</summary>
    Http500,

    /// <summary>Every endpoint answers 200 with a body that is not what it should be.</summary>
    Garbage,

    /// <summary>Accepts requests and never answers.</summary>
    NeverAnswers,
}
