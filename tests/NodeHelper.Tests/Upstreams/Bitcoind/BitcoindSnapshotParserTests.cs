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
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(Fixtures.Read("bitcoind/getpeerinfo.json")));
        while (!(reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("result")))
        {
            reader.Read();
        }

        reader.Read();
        var peers = PeerListReader.Read(ref reader);

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
        var reply = RecordedBatch.Elements(body, 2);

        reply.TryRead<JsonElement>(0, out var count, out _).Should().BeTrue();
        count.GetInt64().Should().Be(150);
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

        var reply = RecordedBatch.Reply(body, ResultReaders.Of(BitcoindJsonContext.Default.BlockchainInfo), RecordedBatch.Element,
            RecordedBatch.Element, ResultReaders.Of(BitcoindJsonContext.Default.FeeEstimate), RecordedBatch.Element);

        reply.TryRead<BlockchainInfo>(0, out var chain, out _).Should().BeTrue();
        chain!.Blocks.Should().Be(150);
        reply.TryRead<FeeEstimate>(3, out var fee, out _).Should().BeTrue();
        fee!.FeeRate.Should().Be(0.00001000m);
        reply.ErrorOf(4)!.Code.Should().Be(-32601);
    }

    [Fact]
    public void WholeRecordedBatchBecomesASnapshot()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: "5378afed2efb8804706ed153c4b01375186e1db9f2cd294b3087a8a8a36865e8");
        var reply = RecordedBatch.Reply(RecordedBatch.For(plan), plan);

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
        var reply = RecordedBatch.Reply(RecordedBatch.For(plan), plan);

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
        var reply = RecordedBatch.Reply(RecordedBatch.For(plan, _ => warmup), plan);

        var act = () => BitcoindSnapshotParser.Parse(plan, reply, out _);

        act.Should().Throw<BitcoindWarmingUpException>().Which.Status.Should().Be("Loading banlist…");
    }

    [Fact]
    public void AFailedSideCallIsAnItemFailureNotAFailedSnapshot()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method == "getindexinfo" ? Fixtures.Read("bitcoind/error-method-not-found.json") : null);
        var reply = RecordedBatch.Reply(json, plan);

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
        var reply = RecordedBatch.Reply(json, plan);

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
        var reply = RecordedBatch.Reply(json, plan);

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

        var reply = RecordedBatch.Reply(RecordedBatch.For(plan, Replace), plan);

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
        var reply = RecordedBatch.Reply(json, plan);

        var act = () => BitcoindSnapshotParser.Parse(plan, reply, out _);

        act.Should().Throw<UpstreamException>().WithMessage("getblockchaininfo failed*").Which.Reason.Should().Be(FailureReason.UpstreamError);
    }

    [Fact]
    public void RepliesWithUnknownOrRepeatedIdsAreIgnored()
    {
        var reply = RecordedBatch.Elements("""
            [{"result":1,"error":null,"id":0},{"result":2,"error":null,"id":0},{"result":3,"error":null,"id":7},
             {"result":4,"error":null,"id":"x"},"junk"]
            """, 2);

        reply.TryRead<JsonElement>(0, out var first, out _).Should().BeTrue();
        first.GetInt32().Should().Be(1);
        reply.ErrorOf(1).Should().Be(RpcError.NoReply);
    }

    [Fact]
    public void AnAnswerThatIsNotAnArrayIsRejected()
    {
        var act = () => RecordedBatch.Elements("""{"result":150,"error":null,"id":0}""", 1);

        act.Should().Throw<UpstreamException>().WithMessage("*not an array*");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RepliesInAnotherOrderGiveTheSameSnapshot(bool idFirst)
    {
        // Each result is first read as the call at its position; here no reply is at its call's position, so every
        // one must be read again as the call its id names.
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: "5378afed2efb8804706ed153c4b01375186e1db9f2cd294b3087a8a8a36865e8");
        var inOrder = RecordedBatch.For(plan);
        var entries = System.Text.Json.Nodes.JsonNode.Parse(inOrder)!.AsArray().Select(e => e!.AsObject()).Reverse().Select(entry =>
        {
            var reordered = new System.Text.Json.Nodes.JsonObject();
            var fields = idFirst ? entry.OrderBy(f => f.Key != "id") : entry.OrderBy(f => f.Key == "id");
            foreach (var (key, value) in fields.ToList())
            {
                reordered[key] = value?.DeepClone();
            }

            return reordered;
        });
        var shuffled = new System.Text.Json.Nodes.JsonArray([.. entries]).ToJsonString();

        var expected = BitcoindSnapshotParser.Parse(plan, RecordedBatch.Reply(inOrder, plan), out var expectedStats);
        var snapshot = BitcoindSnapshotParser.Parse(plan, RecordedBatch.Reply(shuffled, plan), out var stats);

        snapshot.Should().BeEquivalentTo(expected);
        stats.Should().BeEquivalentTo(expectedStats);
        snapshot.FailedMethods.Should().BeEmpty();
        snapshot.Peers.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("""[{"result":1,"error":null,"id":0}] x""")]
    [InlineData("""[{"result":1,"error":null,"id":0}][]""")]
    [InlineData("""[{"result":[1,2""")]
    [InlineData("""[{"result":{"a":1,},"error":null,"id":0}]""")]
    public void MalformedJsonIsRejectedAsAWhole(string answer)
    {
        // Not a result of the wrong shape (which costs only its call) but an answer that is not JSON.
        var act = () => RecordedBatch.Elements(answer, 1);

        act.Should().Throw<JsonException>();
    }

    [Fact]
    public void ListBannedIsCountedWithoutKeepingIt()
    {
        var reply = RecordedBatch.Reply("""
            [{"result":[{"address":"1.2.3.4/32","ban_created":1},[1,[2]],"x",{}],"error":null,"id":0},
             {"result":{"address":"1.2.3.4/32"},"error":null,"id":1}]
            """, ResultReaders.ArrayLength, ResultReaders.ArrayLength);

        reply.TryRead<int>(0, out var count, out _).Should().BeTrue();
        count.Should().Be(4);
        reply.TryRead<int>(1, out _, out var problem).Should().BeFalse();
        problem.Should().Be("unexpected result shape: the result is a JSON object, not an array");
    }

    [Fact]
    public void AResultOfTheWrongShapeCostsOnlyItsCallEvenWhenNested()
    {
        // The peer list holds an object where a peer's id should be a number: getpeerinfo alone fails; the reply after it is read.
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method == "getpeerinfo"
            ? """{"result":[{"id":{"deep":[1,2,{"x":[]}]},"inbound":false}],"error":null,"id":0}"""
            : null);

        var snapshot = BitcoindSnapshotParser.Parse(plan, RecordedBatch.Reply(json, plan), out _);

        snapshot.Peers.Should().BeNull();
        snapshot.MethodProblems["getpeerinfo"].Should().StartWith("unexpected result shape");
        snapshot.NetTotals.Should().NotBeNull();
        snapshot.FailedMethods.Should().Equal("getpeerinfo");
    }

    [Theory]
    [InlineData("network")]
    [InlineData("connection_type")]
    public void TextThatIsNotValidInAPeerFailsOnlyGetPeerInfo(string field)
    {
        // An escaped lone surrogate, and a byte that is not UTF-8 (written over the X below): the serialiser called both
        // a shape error; they must not escape as another exception and fail the whole collector.
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method == "getpeerinfo"
            ? $$"""{"result":[{"id":1,"inbound":true,"{{field}}":"onXion"}],"error":null,"id":0}"""
            : null);
        foreach (var text in new[] { "surrogate", "not UTF-8" })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text == "surrogate" ? json.Replace("onXion", "on\\ud800ion") : json);
            var marker = Array.IndexOf(bytes, (byte)'X');
            if (marker >= 0)
            {
                bytes[marker] = 0xFF;
            }

            var snapshot = BitcoindSnapshotParser.Parse(plan, BatchReply.Parse(bytes, plan.Readers), out _);

            snapshot.FailedMethods.Should().Equal(["getpeerinfo"], text);
            snapshot.MethodProblems["getpeerinfo"].Should().StartWith($"unexpected result shape: {field} is not valid text");
        }
    }

    [Fact]
    public void AShapeProblemNamesItsField()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method == "getmempoolinfo"
            ? """{"result":{"loaded":true,"size":null,"bytes":1,"usage":1,"maxmempool":1,"mempoolminfee":0.00001,"minrelaytxfee":0.00001},"error":null,"id":0}"""
            : null);

        var snapshot = BitcoindSnapshotParser.Parse(plan, RecordedBatch.Reply(json, plan), out _);

        snapshot.MethodProblems["getmempoolinfo"].Should().Contain("Path: $.size");
        snapshot.FailedMethods.Should().Equal("getmempoolinfo");
    }

    [Fact]
    public void ByteOrderMarkBeforeTheAnswerIsSkipped()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(RecordedBatch.For(plan))];

        BatchReply.WholeRequestError(bytes).Should().BeNull();
        BitcoindSnapshotParser.Parse(plan, BatchReply.Parse(bytes, plan.Readers), out _).FailedMethods.Should().BeEmpty();
    }

    [Fact]
    public void AnErrorMessageThatIsNotValidTextIsDescribedNotThrown()
    {
        var reply = RecordedBatch.Elements("""[{"result":null,"error":{"code":-1,"message":"\ud800"},"id":0}]""", 1);

        reply.ErrorOf(0).Should().Be(new RpcError(-1, "(a message that is not valid text)"));
        BatchReply.WholeRequestError("""{"result":null,"error":{"code":-28,"message":"\ud800"},"id":0}"""u8).Should().Be(new RpcError(-28, "(a message that is not valid text)"));
    }

    [Fact]
    public void AWholeRequestErrorWithMoreAfterItIsMalformed()
    {
        var act = () => BatchReply.WholeRequestError("""{"result":null,"error":{"code":-28,"message":"Loading"},"id":0} x"""u8.ToArray());

        act.Should().Throw<JsonException>();
    }

    [Fact]
    public void NullListsAndAnUptimeThatIsNoNumberAreNamedAsSuch()
    {
        var plan = new BitcoindBatchPlan(DefaultTargets, blockStatsHash: null);
        var json = RecordedBatch.For(plan, call => call.Method switch
        {
            "getpeerinfo" or "getchaintips" => """{"result":null,"error":null,"id":0}""",
            "uptime" => """{"result":[1,2,3],"error":null,"id":0}""",
            _ => null,
        });

        var snapshot = BitcoindSnapshotParser.Parse(plan, RecordedBatch.Reply(json, plan), out _);

        snapshot.MethodProblems["getpeerinfo"].Should().Be("the result is null");
        snapshot.MethodProblems["getchaintips"].Should().Be("the result is null");
        snapshot.MethodProblems["uptime"].Should().Be("unexpected result shape: the result is a JSON array, not a number");
    }

    [Fact]
    public void RequestIsABatchOfJsonRpc10CallsWithPositionalIds()
    {
        var body = System.Text.Encoding.UTF8.GetString(BatchReply.WriteRequest([new("getblockcount"), new("estimatesmartfee", IntArgument: 6), new("getblockstats", StringArgument: "ab")]));

        body.Should().Be("""[{"jsonrpc":"1.0","id":0,"method":"getblockcount","params":[]},{"jsonrpc":"1.0","id":1,"method":"estimatesmartfee","params":[6]},{"jsonrpc":"1.0","id":2,"method":"getblockstats","params":["ab"]}]""");
    }
}
