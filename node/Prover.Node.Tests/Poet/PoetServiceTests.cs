using NSec.Cryptography;
using Prover.Core.Primitives;
using Prover.Node.Poet;
using Xunit;

namespace Prover.Node.Tests.Poet;

public sealed class PoetServiceTests : IDisposable
{
    private static readonly DateTimeOffset Genesis = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Prefix = [.. Convert.FromHexString("9eebff023abb17ccb775c602daade8ed708f0a50"), 0x04];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "poet-" + Guid.NewGuid().ToString("N"));
    private readonly ManualClock _clock = new(Genesis + TimeSpan.FromSeconds(1));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static PoetRoundTiming Timing => new(Genesis, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

    private PoetService NewService(int maxMembers = int.MaxValue, ulong maxLeaves = 150) => new(
        new PoetServiceOptions { DataDirectory = _directory, Timing = Timing, MaxRoundMembers = maxMembers, MaxLeaves = maxLeaves },
        _clock);

    private static (Key Key, byte[] Pub) NewIdentity()
    {
        var key = Key.Create(SignatureAlgorithm.Ed25519);
        return (key, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    private static PoetSubmitRequest Request(PoetService poet, Key key, byte[] challenge, DateTimeOffset? deadline = null) => new(
        0, poet.PowParams(), Prefix, challenge, key.PublicKey.Export(KeyBlobFormat.RawPublicKey),
        SignatureAlgorithm.Ed25519.Sign(key, [.. Prefix, .. challenge]), deadline);

    private static byte[] Challenge(int seed) => System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(seed));

    [Fact]
    public void The_registration_signature_vector_verifies_over_prefix_and_challenge_only()
    {
        var v = Vectors.Of("poet.json", "poet_submit_signature").Single();
        var check = new NSecPoetSignatureCheck();
        byte[] message = [.. v.Hex("prefix"), .. v.Hex("challenge")];
        Assert.Equal(v.GetProperty("valid_stdlib").GetBoolean(), check.Verify(v.Hex("node_id"), message, v.Hex("signature")));
        Assert.False(check.Verify(v.Hex("node_id"), v.Hex("challenge"), v.Hex("signature")));
    }

    [Fact]
    public void Round_times_follow_phase_shift_epoch_and_cycle_gap()
    {
        Assert.Equal(Genesis + TimeSpan.FromSeconds(30), Timing.RoundStart(0));
        Assert.Equal(Genesis + TimeSpan.FromSeconds(80), Timing.RoundEnd(0));
        Assert.Equal(Genesis + TimeSpan.FromSeconds(150), Timing.RoundStart(2));
        Assert.Equal(0UL, Timing.OpenRound(Genesis + TimeSpan.FromSeconds(29.9)));
        Assert.Equal(1UL, Timing.OpenRound(Genesis + TimeSpan.FromSeconds(30)));
        Assert.Equal(2UL, Timing.OpenRound(Genesis + TimeSpan.FromSeconds(90)));
    }

    [Fact]
    public async Task Submit_refuses_bad_key_signature_pow_parameters_and_late_deadlines_with_poet_statuses()
    {
        await using var poet = NewService();
        var (key, _) = NewIdentity();
        using var _ = key;
        var good = Request(poet, key, Challenge(1));

        Assert.Equal(PoetStatus.InvalidArgument, Assert.Throws<PoetException>(() => poet.Submit(good with { Pubkey = new byte[31] })).Status);
        var badSignature = good.Signature.ToArray();
        badSignature[3] ^= 1;
        Assert.Equal("invalid signature", Assert.Throws<PoetException>(() => poet.Submit(good with { Signature = badSignature })).Message);
        Assert.Equal("invalid signature", Assert.Throws<PoetException>(() => poet.Submit(good with { Prefix = [0x04] })).Message);
        var wrongPow = Assert.Throws<PoetException>(() => poet.Submit(good with { PowParams = new PoetPowParams(0, new byte[32]) }));
        Assert.Equal((PoetStatus.InvalidArgument, "invalid proof of work parameters"), (wrongPow.Status, wrongPow.Message));
        var late = Assert.Throws<PoetException>(() => poet.Submit(good with { Deadline = Timing.RoundEnd(0) - TimeSpan.FromSeconds(1) }));
        Assert.Equal(PoetStatus.FailedPrecondition, late.Status);

        var accepted = poet.Submit(good with { Deadline = Timing.RoundEnd(0) });
        Assert.Equal("0", accepted.RoundId);
        Assert.Equal(Timing.RoundEnd(0) - _clock.GetUtcNow(), accepted.RoundEnd);
    }

    [Fact]
    public async Task A_node_may_repeat_its_registration_but_not_change_it_and_a_full_round_refuses_more()
    {
        await using var poet = NewService(maxMembers: 2);
        var (a, _) = NewIdentity();
        var (b, _) = NewIdentity();
        var (c, _) = NewIdentity();
        using (a)
        using (b)
        using (c)
        {
            poet.Submit(Request(poet, a, Challenge(1)));
            Assert.Equal("0", poet.Submit(Request(poet, a, Challenge(1))).RoundId);
            Assert.Equal(PoetStatus.AlreadyExists, Assert.Throws<PoetException>(() => poet.Submit(Request(poet, a, Challenge(2)))).Status);
            poet.Submit(Request(poet, b, Challenge(3)));
            Assert.Equal(PoetStatus.ResourceExhausted, Assert.Throws<PoetException>(() => poet.Submit(Request(poet, c, Challenge(4)))).Status);
        }
    }

    [Fact]
    public async Task At_round_start_the_members_ordered_by_node_id_key_a_proof_that_verifies()
    {
        await using var poet = NewService();
        var identities = Enumerable.Range(0, 3).Select(_ => NewIdentity()).ToArray();
        var challenges = new Dictionary<Hash32, Hash32>();
        for (var i = 0; i < identities.Length; i++)
        {
            poet.Submit(Request(poet, identities[i].Key, Challenge(10 + i)));
            challenges[new Hash32(identities[i].Pub)] = new Hash32(Challenge(10 + i));
            identities[i].Key.Dispose();
        }

        Assert.Equal(PoetStatus.NotFound, Assert.Throws<PoetException>(() => poet.GetProof("0")).Status);
        Assert.Empty(poet.CloseDueRounds());
        _clock.Now = Timing.RoundStart(0);
        Assert.Equal([0UL], poet.CloseDueRounds());
        Assert.Equal(1UL, poet.OpenRoundId);
        await poet.WaitForRoundAsync(0);

        var served = poet.GetProof("0");
        Assert.Equal(challenges.OrderBy(c => c.Key).Select(c => c.Value), served.Members);
        Assert.Equal(poet.PublicKey, served.Pubkey);
        var statement = MembershipTree.Root(served.Members);
        Assert.Equal(PoswVerdict.Valid, PoswVerifier.Verify(served.Proof, statement));
        Assert.Equal(150UL, served.Proof.LeafCount);
        for (var i = 0; i < served.Members.Count; i++)
        {
            Assert.True(MembershipTree.Verify(served.Members[i], (ulong)i, MembershipTree.Prove(served.Members, (ulong)i), statement));
        }

        // The PoW challenge rotates to the round's root; the previous parameters stay valid for one more round.
        Assert.Equal(served.Proof.Root.ToArray(), poet.PowParams().Challenge);
    }

    [Fact]
    public async Task Registrations_and_proofs_survive_a_restart()
    {
        var (a, _) = NewIdentity();
        using (a)
        {
            await using (var poet = NewService())
            {
                poet.Submit(Request(poet, a, Challenge(7)));
            }

            await using (var poet = NewService())
            {
                Assert.Equal(PoetStatus.AlreadyExists, Assert.Throws<PoetException>(() => poet.Submit(Request(poet, a, Challenge(8)))).Status);
                _clock.Now = Timing.RoundStart(0) + TimeSpan.FromSeconds(1);
                poet.CloseDueRounds();
                await poet.WaitForRoundAsync(0);
            }
        }

        await using var restarted = NewService();
        var served = restarted.GetProof("0");
        Assert.Equal([new Hash32(Challenge(7))], served.Members);
        Assert.True(PoswVerifier.Verify(served.Proof, MembershipTree.Root(served.Members)).IsValid);
        Assert.Equal(1UL, restarted.OpenRoundId);
    }

    [Fact]
    public async Task Work_interrupted_by_a_stop_resumes_on_the_next_start_and_still_verifies()
    {
        var (a, _) = NewIdentity();
        using (a)
        {
            await using (var poet = NewService(maxLeaves: 1_000_000))
            {
                poet.Submit(Request(poet, a, Challenge(9)));
                _clock.Now = Timing.RoundStart(0) + TimeSpan.FromSeconds(1);
                poet.CloseDueRounds();
                var layer0 = Path.Combine(_directory, "rounds", "0", "posw", "layer_0.bin");
                for (var waited = 0; waited < 30_000 && !(File.Exists(layer0) && new FileInfo(layer0).Length > 0); waited += 50)
                {
                    await Task.Delay(50);
                }
            }
        }

        Assert.True(File.Exists(Path.Combine(_directory, "rounds", "0", "posw", "checkpoint.bin")));
        await using var resumed = NewService(maxLeaves: 1_000_000);
        resumed.Start();
        _clock.Now = Timing.RoundEnd(0);
        await resumed.WaitForRoundAsync(0).WaitAsync(TimeSpan.FromSeconds(60));
        var served = resumed.GetProof("0");
        Assert.True(served.Proof.LeafCount >= 150);
        Assert.True(PoswVerifier.Verify(served.Proof, MembershipTree.Root(served.Members)).IsValid);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
