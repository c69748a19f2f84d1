using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NodeHelper.Stack.Servers;

/// <summary>How to start one real server program: its arguments for a port and a working directory, and when it is ready.</summary>
public sealed record ServerLaunch(
    string Name,
    string Program,
    Func<int, string, IEnumerable<string>> Arguments,
    Func<int, Task<bool>> IsReady,
    string InstallHint);
