using Prover.Node.Consensus.Wire;
using Prover.Node.Storage;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Mesh;

/// <summary>What one <see cref="MeshApplier.Advance"/> did.</summary>
/// <param name="Applied">The layers applied (or reapplied), in order.</param>
/// <param name="Reverted">The layers reverted, newest first.</param>
/// <param name="MissingBlock">A block the tortoise chose that is not stored yet (fetch it, then advance again).</param>
public sealed record MeshProgress(IReadOnlyList<LayerRecord> Applied, IReadOnlyList<LayerId> Reverted, BlockId? MissingBlock);

/// <summary>
/// Drives <see cref="MeshState"/> from the tortoise (go-spacemesh <c>mesh.ProcessLayer</c>, reduced): for each update it
/// reverts when the block of an applied layer changed, flips the valid flag when only verification changed, then
/// applies layers in order for as long as the tortoise has an opinion and the block is stored. Layers are applied on the
/// hare output before they are verified (valid = false), as upstream applies hare output optimistically.
/// </summary>
public sealed class MeshApplier
{
    private readonly VerifyingTortoise _tortoise;
    private readonly MeshState _state;

    /// <summary>Creates the applier.</summary>
    public MeshApplier(VerifyingTortoise tortoise, MeshState state)
    {
        ArgumentNullException.ThrowIfNull(tortoise);
        ArgumentNullException.ThrowIfNull(state);
        _tortoise = tortoise;
        _state = state;
    }

    /// <summary>Takes the tortoise's updates into the state (see the type's summary).</summary>
    public MeshProgress Advance()
    {
        var store = _state.Store;
        var updates = _tortoise.Updates();
        var reverted = new List<LayerId>();

        var changed = updates.Where(u => store.GetLayer(u.Layer) is { } r && r.Block != u.Block).Select(u => u.Layer).ToList();
        if (changed.Count > 0)
        {
            var from = changed.Min();
            reverted.AddRange(_state.RevertTo(new LayerId(from.Value - 1)).Select(a => a.Record.Layer));
        }

        foreach (var u in updates)
        {
            if (store.GetLayer(u.Layer) is { } r && r.Block == u.Block && r.Valid != u.Verified) store.MarkLayerValid(u.Layer, u.Verified);
        }

        var applied = new List<LayerRecord>();
        while (true)
        {
            var next = _state.NextLayer;
            var (block, verified) = _tortoise.Opinion(next);
            if (block is not { } id) break;
            Block? content = null;
            if (!id.IsEmpty)
            {
                content = store.GetBlock(id);
                if (content is null) return new MeshProgress(applied, reverted, id);
            }

            applied.Add(_state.Apply(next, content, verified));
        }

        return new MeshProgress(applied, reverted, null);
    }
}
