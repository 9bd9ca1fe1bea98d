using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core.Primitives;

namespace Prover.Service.Tests;

/// <summary>Random, truncated and unknown-field NodeRequests never crash the service.</summary>
public sealed class RequestFuzzTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>Valid requests, the same with unknown fields, truncations, bit flips and random bytes.</summary>
    internal static List<byte[]> Payloads(int seed, int randomCount)
    {
        var random = new Random(seed);
        var valid = new List<byte[]>
        {
            new NodeRequest { Metadata = new MetadataRequest() }.ToByteArray(),
            new NodeRequest { GenProof = new GenProofRequest { Challenge = ByteString.CopyFrom(Enumerable.Repeat((byte)0x42, 32).ToArray()) } }.ToByteArray(),
            new NodeRequest { GenProof = new GenProofRequest() }.ToByteArray(),
            new NodeRequest().ToByteArray(),
        };
        var payloads = new List<byte[]>(valid);
        foreach (var message in valid.ToList())
        {
            // Unknown fields: varint 3 (upstream's reserved "init"), length-delimited 4, fixed64 15, fixed32 1000.
            payloads.Add([.. message, 0x18, 0x01]);
            payloads.Add([.. message, 0x22, 0x03, 0x01, 0x02, 0x03]);
            payloads.Add([.. message, 0x79, 1, 2, 3, 4, 5, 6, 7, 8]);
            payloads.Add([.. message, 0xc5, 0x3e, 9, 9, 9, 9]);
            for (int cut = 1; cut < message.Length; cut++)
            {
                payloads.Add(message[..cut]);
            }

            for (int flip = 0; flip < message.Length * 8; flip += 3)
            {
                var copy = (byte[])message.Clone();
                copy[flip / 8] ^= (byte)(1 << (flip % 8));
                payloads.Add(copy);
            }
        }

        // Malformed framing inside the message: a length past the end, a group start without end, an invalid tag 0.
        payloads.Add([0x0a, 0x7f]);
        payloads.Add([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        payloads.Add([0x0b]);
        payloads.Add([0x00, 0x00]);
        payloads.Add([0x12, 0x02, 0x0a]);
        for (int i = 0; i < randomCount; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            payloads.Add(bytes);
        }

        return payloads;
    }

    [Fact]
    public void Decoder_and_dispatcher_survive_any_bytes()
    {
        var proofs = new ScriptedProofs();
        var identity = new PostIdentity("/d", new Core.Data.PostMetadata
        {
            NodeId = new NodeId(new byte[32]),
            CommitmentAtxId = new AtxId(new byte[32]),
            NumUnits = 1,
            LabelsPerUnit = 64,
            MaxFileSize = 1024,
        });
        using var machine = new ProofStateMachine(identity, proofs, proofs, new IdentityMetrics(identity.NodeIdHex), NullLogger.Instance, default);
        var dispatcher = new RequestDispatcher(identity, machine, NullLogger.Instance);
        int decoded = 0, rejected = 0;
        foreach (var payload in Payloads(seed: 1, randomCount: 5000))
        {
            NodeRequest request;
            try
            {
                request = NodeRequest.Parser.ParseFrom(payload);
            }
            catch (InvalidProtocolBufferException)
            {
                rejected++;
                continue;
            }

            decoded++;
            var response = dispatcher.Handle(request);
            Assert.NotEqual(ServiceResponse.KindOneofCase.None, response.KindCase);
            // Exactly one answer of the matching kind; anything else is a GenProofResponse.
            var expected = request.KindCase == NodeRequest.KindOneofCase.Metadata
                ? ServiceResponse.KindOneofCase.Metadata
                : ServiceResponse.KindOneofCase.GenProof;
            Assert.Equal(expected, response.KindCase);
            Assert.True(response.ToByteArray().Length > 0);
        }

        Assert.True(decoded > 100, $"only {decoded} payloads decoded");
        Assert.True(rejected > 100, $"only {rejected} payloads rejected");
    }

    [Fact]
    public async Task Raw_frames_from_the_node_never_crash_the_service()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x31);
        var payloads = Payloads(seed: 2, randomCount: 40);
        int next = 0;
        int answered = 0;
        int connections = 0;
        var finalMeta = new TaskCompletionSource<Metadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestNode.StartAsync(raw: async session =>
        {
            Interlocked.Increment(ref connections);
            while (Volatile.Read(ref next) < payloads.Count)
            {
                var payload = payloads[Interlocked.Increment(ref next) - 1];
                await session.SendAsync(payload);
                var response = await session.ReceiveAsync();
                if (response is null)
                {
                    return;
                }

                Interlocked.Increment(ref answered);
                ServiceResponse.Parser.ParseFrom(response);
            }

            // After the storm, a well-formed exchange still works.
            await session.SendAsync(new NodeRequest { Metadata = new MetadataRequest() }.ToByteArray());
            var meta = await session.ReceiveAsync();
            finalMeta.TrySetResult(ServiceResponse.Parser.ParseFrom(meta!).Metadata.Meta);
            await Task.Delay(Timeout.Infinite, session.Aborted);
        });
        var options = TestIdentities.Options(server.Address, dir) with { ReconnectInterval = TimeSpan.FromMilliseconds(20) };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);

        var meta = await finalMeta.Task.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(TestIdentities.Metadata(dir).NodeId.ToArray(), meta.NodeId.ToByteArray());
        Assert.Null(service.Runtime.Failure);
        Assert.True(answered > 10, $"{answered} answered");
        Assert.True(connections > 1, "undecodable frames should have ended some streams");
    }
}
