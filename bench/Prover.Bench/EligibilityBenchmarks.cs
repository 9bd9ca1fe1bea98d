using BenchmarkDotNet.Attributes;
using Prover.Node.Consensus.Eligibility;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Types;
using Prover.Node.Vrf;
using Beacon = Prover.Node.Consensus.Wire.Beacon;

namespace Prover.Bench;

/// <summary>
/// Consensus eligibility checks a node runs on every received message (node/Prover.Node/Consensus/Eligibility):
/// <see cref="BallotProof"/> is one ballot eligibility proof checked by <see cref="BallotEligibility.Validate"/> (an
/// ECVRF verification of the slot message plus the layer derivation); <see cref="HareProof"/> is one hare eligibility
/// checked by <see cref="HareEligibility.Verify"/> (ECVRF verification plus the spacemeshos/fixed BinCDF count) at
/// mainnet-like figures (committee 50, the identity holding 3% of the weight); <see cref="HareCountOnly"/> is the
/// fixed-point count without the VRF. Proofs are made in the setup with a fresh identity; each invocation checks
/// <see cref="Proofs"/> different ones. verifications/s = 1 s / Mean.
/// <c>dotnet run -c Release --project bench/Prover.Bench -- --filter '*Eligibility*' --job short --inProcess</c>.
/// </summary>
[MinIterationCount(3)]
[MaxIterationCount(10)]
[WarmupCount(1)]
public class EligibilityBenchmarks
{
    public const int Proofs = 16;

    private const ulong MinerWeight = 3000;
    private const ulong TotalWeight = 100_000;
    private const int Committee = 50;
    private const uint LayersPerEpoch = 4032;
    private const ulong VrfNonce = 28_758_949;

    private readonly EpochId _epoch = new(3);
    private readonly Beacon _beacon = Beacon.Parse("9eebff02");
    private readonly BallotEligibilityProof[][] _ballots = new BallotEligibilityProof[Proofs][];
    private readonly byte[][] _hare = new byte[Proofs][];
    private readonly LayerId _layer = new(105_720);
    private Prover.Core.Primitives.NodeId _nodeId;

    [GlobalSetup]
    public void Setup()
    {
        using var ed = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        using var vrf = new VrfSigner(ed);
        _nodeId = ed.NodeId;
        for (var j = 0u; j < Proofs; j++)
        {
            _ballots[j] = [new BallotEligibilityProof(j, vrf.Sign(VrfMessages.Voting(_beacon, _epoch, VrfNonce, j)))];
            _hare[j] = HareEligibility.Prove(vrf, _beacon, j, _layer);
        }

        if (!BallotEligibility.Validate(_nodeId, _ballots[1], _beacon, _epoch, VrfNonce, Proofs, LayersPerEpoch).Valid)
        {
            throw new InvalidOperationException("setup: a ballot proof does not validate");
        }
    }

    [Benchmark(OperationsPerInvoke = Proofs)]
    public int BallotProof()
    {
        var valid = 0;
        for (var j = 0; j < Proofs; j++)
        {
            valid += BallotEligibility.Validate(_nodeId, _ballots[j], _beacon, _epoch, VrfNonce, Proofs, LayersPerEpoch).Valid ? 1 : 0;
        }

        return valid;
    }

    [Benchmark(OperationsPerInvoke = Proofs)]
    public int HareProof()
    {
        var total = 0;
        for (var j = 0; j < Proofs; j++)
        {
            total += HareEligibility.Verify(_nodeId, _hare[j], _beacon, (uint)j, _layer, MinerWeight, TotalWeight, Committee);
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Proofs)]
    public int HareCountOnly()
    {
        var total = 0;
        for (var j = 0; j < Proofs; j++)
        {
            total += HareEligibility.CalcEligibility(_hare[j], MinerWeight, TotalWeight, Committee);
        }

        return total;
    }
}
