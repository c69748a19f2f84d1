namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>One JSON-RPC call of a batch: a method and at most one argument, which is all the collector needs.</summary>
internal readonly record struct RpcCall(string Method, int? IntArgument = null, string? StringArgument = null);
