using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Simulators;

namespace NodeHelper.Tests.Upstreams.Bitcoind;

/// <summary>Builds the answer bitcoind gives a batch plan, entry by entry from the recorded responses, as raw JSON.</summary>
internal static class RecordedBatch
{
    /// <summary>What bitcoind answers estimatesmartfee with too little history (fixture README).</summary>
    public const string InsufficientData = """{"result":{"errors":["Insufficient data or no feerate found"],"blocks":1},"error":null,"id":"nh"}""";

    public static string For(BitcoindBatchPlan plan, Func<RpcCall, string?>? replace = null)
    {
        var entries = new JsonArray();
        for (var i = 0; i < plan.Calls.Count; i++)
        {
            var call = plan.Calls[i];
            var recorded = replace?.Invoke(call) ?? Recorded(call);
            var entry = JsonNode.Parse(recorded)!.AsObject();
            entry["id"] = i;
            entries.Add(entry);
        }

        return entries.ToJsonString();
    }

    public static string Recorded(RpcCall call) => call.Method switch
    {
        "estimatesmartfee" => call.IntArgument switch
        {
            2 or 6 => Fixtures.Read($"bitcoind/estimatesmartfee-{call.IntArgument}.json"),
            144 => Fixtures.Read("bitcoind/estimatesmartfee-144-economical.json"),
            _ => InsufficientData,
        },
        _ => Fixtures.Read($"bitcoind/{call.Method}.json"),
    };

    /// <summary>The answer read as the exporter reads it for <paramref name="plan"/>.</summary>
    public static BatchReply Reply(string json, BitcoindBatchPlan plan) => BatchReply.Parse(Encoding.UTF8.GetBytes(json), plan.Readers);

    /// <summary>The answer read with the given reader per call.</summary>
    public static BatchReply Reply(string json, params ResultReader[] readers) => BatchReply.Parse(Encoding.UTF8.GetBytes(json), readers);

    /// <summary>A result kept as a JSON element of its own, whatever it is: for tests that look at raw results.</summary>
    public static readonly ResultReader Element = (ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);

    /// <summary>An answer to <paramref name="calls"/> calls, each result kept as a JSON element.</summary>
    public static BatchReply Elements(string json, int calls) => Reply(json, [.. Enumerable.Repeat(Element, calls)]);
}
