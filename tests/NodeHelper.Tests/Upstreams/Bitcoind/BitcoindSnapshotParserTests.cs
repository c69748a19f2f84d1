using System.Text.Json;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Simulators;

namespace NodeHelper.Tests.Upstreams.Bitcoind;

/// <summary>Layer 1: the parsers over bitcoind's recorded answers, exact values.</summary>
public sealed class BitcoindSnapshotParserTests
{
    private static readonly int[] DefaultTargets = [1, 2, 3, 6, 12, 24, 144];

    private static T Result<T>(string fixture, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var document = JsonDocument.Parse(Fixtures.Read($"bitcoind/{fixture}.json"));
        return document.RootElement.GetProperty("result").Deserialize(type)!;
    }

    [Fact]
    public void BlockchainInfoReadsEveryFieldTheCollectorUses()
    {
        var info = Result("getblockchaininfo", BitcoindJsonContext.Default.BlockchainInfo);

        info.Should().BeEquivalentTo(new
        {
            Chain = "regtest",
            Blocks = 150L,
            Headers = 150L,
            BestBlockHash = "5378afed2efb8804706ed153c4b01375186e1db9f2cd294b3087a8a8a36865e8",
            Difficulty = 4.656542373906925e-10,
            Time = 1795470302L,
            MedianTime = 1795470301L,
            VerificationProgress = 1.0,
            InitialBlockDownload = false,
            SizeOnDisk = 134454L,
            Pruned = false,
            Warnings = 1,
            PruneHeight = (long?)null,
            PruneTargetSize = (long?)null,
        });
    }

    [Fact]
    public void PrunedBlockchainInfoCarriesPruneHeightAndTarget()
    {
        var info = Result("getblockchaininfo-pruned", BitcoindJsonContext.Default.BlockchainInfo);

        info.Pruned.Should().BeTrue();
        info.PruneHeight.Should().Be(0);
        info.AutomaticPruning.Should().BeTrue();
        info.PruneTargetSize.Should().Be(576716800);
    }

    [Theory]
    [InlineData("\"\"", 0)]
    [InlineData("\"This is a pre-release test build\"", 1)]
    [InlineData("[]", 0)]
    [InlineData("[\"one\",\"two\"]", 2)]
    public void WarningsCountTheStringOfOldVersionsAndTheListOfNewOnes(string warnings, int expected)
    {
        var recorded = Fixtures.Read("bitcoind/getblockchaininfo.json");
        var start = recorded.IndexOf("\"warnings\":", StringComparison.Ordinal);
        var end = recorded.IndexOf(']', start) + 1;
        var changed = recorded[..start] + "\"warnings\":" + warnings + recorded[end..];

        using var document = JsonDocument.Parse(changed);
        var info = document.RootElement.GetProperty("result").Deserialize(BitcoindJsonContext.Default.BlockchainInfo)!;

        info.Warnings.Should().Be(expected);
    }

    [Fact]
    public void NetworkInfoReadsDirectionsAndReachability()
    {
        var info = Result("getnetworkinfo", BitcoindJsonContext.Default.NetworkInfo);

        info.Version.Should().Be(319900);
        info.Subversion.Should().Be("/Satoshi:31.99.0/");
        (info.ConnectionsIn, info.ConnectionsOut).Should().Be((1, 1));
        info.Networks.Where(n => n.Reachable).Select(n => n.Name).Should().Equal("ipv4", "ipv6");
        info.RelayFee.Should().Be(0.00000100m);
    }

    [Fact]
    public void MempoolInfoKeepsAmountsExact()
    {
        var info = Result("getmempoolinfo", BitcoindJsonContext.Default.MempoolInfo);

        info.Should().BeEquivalentTo(new
        {
            Loaded = true,
            Size = 10L,
            Bytes = 1410L,
            Usage = 12256L,
            TotalFee = 0.00035673m,
            MaxMempool = 300000000L,
            MempoolMinFee = 0.00000100m,
            MinRelayTxFee = 0.00000100m,
        });
    }

    [Fact]
    public void PeerInfoReadsNetworkTypeTransportAndPing()
    {
        var peers = Result("getpeerinfo", BitcoindJsonContext.Default.IReadOnlyListPeerInfo);

        peers.Select(p => (p.Network, p.ConnectionType, p.TransportProtocolType, p.PingTime)).Should().Equal(
            ("not_publicly_routable", "inbound", "v2", 0.000695786),
            ("not_publicly_routable", "manual", "v2", 0.002427667));
    }

    [Fact]
    public void IndexInfoKeepsIndexNamesAsBitcoindWritesThem()
    {
        var indexes = Result("getindexinfo", BitcoindJsonContext.Default.IReadOnlyDictionaryStringIndexStatus);

        indexes.Keys.Should().BeEquivalentTo("txindex", "coinstatsindex", "basic block filter index");
        indexes.Values.Should().OnlyContain(i => i.Synced && i.BestBlockHeight == 150);
    }

    [Fact]
    public void BatchAnswerMatchesRepliesById()
    {
        // The captured JSON-RPC 1.0 batch: getblockcount answered, an unknown method answered with -32601.
        var body = Fixtures.ReadHttpBody("bitcoind/http/batch-jsonrpc1.http").Replace("\"id\":1", "\"id\":0").Replace("\"id\":2", "\"id\":1");
        using var reply = RecordedBatch.Reply(body, 2);

        reply.RawResult(0)!.Value.GetInt64().Should().Be(150);
        reply.ErrorOf(1).Should().Be(new RpcError(-32601, "Method not found"));
    }

    [Fact]
    public void JsonRpc2BatchAnswerIsReadToo()
    {
        // The captured JSON-RPC 2.0 batch: no "error": null on successes, no "result" on the failure.
        var body = Fixtures.ReadHttpBody("bitcoind/http/batch-jsonrpc2.http");
        for (var id = 1; id <= 5; id++)
        {
            body = body.Replace($"\"id\":{id}}}", $"\"id\":{id - 1}}}");
        }

        using var reply = RecordedBatch.Reply(body, 5);

        reply.TryRead(0, BitcoindJsonContext.Default.BlockchainInfo, out var chain, out _).Should().BeTrue();
        chain!.Blocks.Should().Be(150);
        reply.TryRead(3, BitcoindJsonContext.Default.FeeEstimate, out var fee, out _).Should().BeTrue();
        fee!.FeeRate.Should().Be(0.00001000m);
        reply.ErrorOf(4)!.Code.Should().Be(-32601);
    }

    [Fact]
    public void WholeRecordedBatchBecomesASnapshot()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: "5378afed2efb8804706ed153c4b01375186e1db9f2cd294b3087a8a8a36865e8");
        using var reply = RecordedBatch.Reply(RecordedBatch.For(plan), plan.Calls.Count);

        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out var blockStats);

        snapshot.Chain!.Blocks.Should().Be(150);
        snapshot.Peers.Should().HaveCount(2);
        snapshot.BannedCount.Should().Be(1);
        snapshot.UptimeSeconds.Should().Be(16);
        snapshot.RpcInfo!.ActiveCommands.Should().ContainSingle(c => c.Method == "getrpcinfo");
        snapshot.ChainTips.Should().ContainSingle(t => t.Status == "active" && t.Height == 150);
        snapshot.ChainTxStats!.TxRate.Should().Be(15.56);
        snapshot.Mining!.NetworkHashPerSecond.Should().Be(12);
        snapshot.FailedMethods.Should().BeEmpty();
        blockStats!.TotalFee.Should().Be(13540);
        blockStats.FeeRatePercentiles.Should().Equal(1, 2, 5, 13, 21);
    }

    [Fact]
    public void FeeTargetsWithoutEnoughHistoryHaveNoEstimateRatherThanZero()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        using var reply = RecordedBatch.Reply(RecordedBatch.For(plan), plan.Calls.Count);

        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out _);

        snapshot.FeeEstimates.Should().BeEquivalentTo(new Dictionary<int, decimal> { [2] = 0.00001m, [6] = 0.00001m, [144] = 0.00001m });
        snapshot.MethodProblems["estimatesmartfee"].Should().BeNull("an answer with errors and no feerate is bitcoind saying it has no estimate");
    }

    [Fact]
    public void WarmupAnswerBecomesTheWarmingUpStateWithBitcoindsMessage()
    {
        // During start-up every entry of a batch carries the recorded -28 error.
        var warmup = Fixtures.ReadHttpBody("bitcoind/http/error-warmup-28.http");
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        using var reply = RecordedBatch.Reply(RecordedBatch.For(plan, _ => warmup), plan.Calls.Count);

        var act = () => BitcoindSnapshotParser.Parse(plan, reply, out _);

        act.Should().Throw<BitcoindWarmingUpException>().Which.Status.Should().Be("Loading banlist…");
    }

    [Fact]
    public void AFailedSideCallIsAnItemFailureNotAFailedSnapshot()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method == "getindexinfo" ? Fixtures.Read("bitcoind/error-method-not-found.json") : null);
        using var reply = RecordedBatch.Reply(json, plan.Calls.Count);

        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out _);

        snapshot.Indexes.Should().BeNull();
        snapshot.FailedMethods.Should().Equal("getindexinfo");
        snapshot.Mempool.Should().NotBeNull();
    }

    [Fact]
    public void ASideCallOfTheWrongShapeIsAnItemFailure()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method == "getmempoolinfo" ? """{"result":{"loaded":"yes"},"error":null,"id":0}""" : null);
        using var reply = RecordedBatch.Reply(json, plan.Calls.Count);

        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out _);

        snapshot.Mempool.Should().BeNull();
        snapshot.FailedMethods.Should().Equal("getmempoolinfo");
    }

    [Theory]
    [InlineData("""{"result":"not an object","error":null,"id":0}""", "unexpected result shape*")]
    [InlineData("""{"result":{"chain":"main"},"error":null,"id":0}""", "unexpected result shape*")]
    [InlineData("""{"result":{"chain":"main","blocks":-1,"headers":5,"bestblockhash":"00","difficulty":1,"mediantime":1,"verificationprogress":1,"initialblockdownload":false,"size_on_disk":1,"pruned":false,"warnings":[]},"error":null,"id":0}""", "blocks is -1, which cannot be negative")]
    public void AnUnreadableGetblockchaininfoIsAnItemFailureToo(string chainInfoReply, string problem)
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method == "getblockchaininfo" ? chainInfoReply : null);
        using var reply = RecordedBatch.Reply(json, plan.Calls.Count);

        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out _);

        snapshot.Chain.Should().BeNull();
        snapshot.MethodProblems["getblockchaininfo"].Should().Match(problem);
        snapshot.Mempool.Should().NotBeNull("the rest of the answer is fine");
    }

    /// <summary>
    /// JSON null where a list, a list element or a map value belongs: System.Text.Json lets a null element through
    /// whatever the annotation says, so each must be the method's problem, not a NullReferenceException that fails
    /// the whole collector.
    /// </summary>
    [Theory]
    [InlineData("getnetworkinfo", "networks", "[null]")]
    [InlineData("getnetworkinfo", "networks", "null")]
    [InlineData("getpeerinfo", null, "[null]")]
    [InlineData("getpeerinfo", null, "null")]
    [InlineData("getrpcinfo", "active_commands", "null")]
    [InlineData("getrpcinfo", "active_commands", "[null]")]
    [InlineData("getchaintips", null, "[null]")]
    [InlineData("getindexinfo", null, "{\"txindex\":null}")]
    [InlineData("getblockstats", "feerate_percentiles", "null")]
    public void ANullInsideAListIsItsMethodsProblem(string method, string? field, string value)
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: "5378afed2efb8804706ed153c4b01375186e1db9f2cd294b3087a8a8a36865e8");
        string? Replace(RpcCall call)
        {
            if (call.Method != method)
            {
                return null;
            }

            var entry = System.Text.Json.Nodes.JsonNode.Parse(RecordedBatch.Recorded(call))!;
            var parsed = System.Text.Json.Nodes.JsonNode.Parse(value);
            if (field is null)
            {
                entry["result"] = parsed;
            }
            else
            {
                entry["result"]![field] = parsed;
            }

            return entry.ToJsonString();
        }

        using var reply = RecordedBatch.Reply(RecordedBatch.For(plan, Replace), plan.Calls.Count);

        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out var blockStats);

        snapshot.MethodProblems[method].Should().NotBeNull();
        snapshot.FailedMethods.Should().Equal(method);
        snapshot.Chain.Should().NotBeNull("the rest of the answer is fine");
        if (method == "getblockstats")
        {
            blockStats.Should().BeNull();
        }
    }

    [Fact]
    public void AnRpcErrorForGetblockchaininfoFailsTheSnapshot()
    {
        // The one call every bitcoind answers: an error for it says bitcoind cannot serve anything.
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method == "getblockchaininfo" ? """{"result":null,"error":{"code":-1,"message":"boom"},"id":0}""" : null);
        using var reply = RecordedBatch.Reply(json, plan.Calls.Count);

        var act = () => BitcoindSnapshotParser.Parse(plan, reply, out _);

        act.Should().Throw<UpstreamException>().WithMessage("getblockchaininfo failed*").Which.Reason.Should().Be(FailureReason.UpstreamError);
    }

    [Fact]
    public void RepliesWithUnknownOrRepeatedIdsAreIgnored()
    {
        using var reply = RecordedBatch.Reply("""
            [{"result":1,"error":null,"id":0},{"result":2,"error":null,"id":0},{"result":3,"error":null,"id":7},
             {"result":4,"error":null,"id":"x"},"junk"]
            """, 2);

        reply.RawResult(0)!.Value.GetInt32().Should().Be(1);
        reply.ErrorOf(1).Should().Be(RpcError.NoReply);
    }

    [Fact]
    public void AnAnswerThatIsNotAnArrayIsRejected()
    {
        var act = () => RecordedBatch.Reply("""{"result":150,"error":null,"id":0}""", 1);

        act.Should().Throw<UpstreamException>().WithMessage("*not an array*");
    }

    [Fact]
    public void RequestIsABatchOfJsonRpc10CallsWithPositionalIds()
    {
        var body = System.Text.Encoding.UTF8.GetString(BatchReply.WriteRequest([new("getblockcount"), new("estimatesmartfee", IntArgument: 6), new("getblockstats", StringArgument: "ab")]));

        body.Should().Be("""[{"jsonrpc":"1.0","id":0,"method":"getblockcount","params":[]},{"jsonrpc":"1.0","id":1,"method":"estimatesmartfee","params":[6]},{"jsonrpc":"1.0","id":2,"method":"getblockstats","params":["ab"]}]""");
    }
}
