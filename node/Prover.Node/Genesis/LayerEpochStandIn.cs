// STAND-IN, delete at merge: node-codec owns LayerId/EpochId (node/Prover.Node/Types/EpochId.cs, namespace
// Prover.Node.Types). This file repeats only the members the clock uses, with the same names and signatures, so that
// deleting it leaves the clock compiling against the real types.
namespace Prover.Node.Types;

/// <summary>An epoch number (go-spacemesh <c>types.EpochID</c>). Stand-in for node-codec's type.</summary>
/// <param name="Value">The epoch number.</param>
public readonly record struct EpochId(uint Value) : IComparable<EpochId>
{
    /// <summary>The first layer of this epoch: <c>Value × layersPerEpoch</c>.</summary>
    public LayerId FirstLayer(uint layersPerEpoch) => new(checked(Value * layersPerEpoch));

    /// <summary>The next epoch.</summary>
    public EpochId Next => new(checked(Value + 1));

    /// <inheritdoc/>
    public int CompareTo(EpochId other) => Value.CompareTo(other.Value);

    /// <summary>Numeric order.</summary>
    public static bool operator <(EpochId left, EpochId right) => left.Value < right.Value;

    /// <summary>Numeric order.</summary>
    public static bool operator >(EpochId left, EpochId right) => left.Value > right.Value;

    /// <summary>Numeric order.</summary>
    public static bool operator <=(EpochId left, EpochId right) => left.Value <= right.Value;

    /// <summary>Numeric order.</summary>
    public static bool operator >=(EpochId left, EpochId right) => left.Value >= right.Value;

    /// <summary>The decimal number.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A layer number (go-spacemesh <c>types.LayerID</c>). Stand-in for node-codec's type.</summary>
/// <param name="Value">The layer number.</param>
public readonly record struct LayerId(uint Value) : IComparable<LayerId>
{
    /// <summary>The epoch this layer belongs to: <c>Value / layersPerEpoch</c>.</summary>
    public EpochId GetEpoch(uint layersPerEpoch) =>
        layersPerEpoch == 0 ? throw new ArgumentOutOfRangeException(nameof(layersPerEpoch)) : new(Value / layersPerEpoch);

    /// <inheritdoc/>
    public int CompareTo(LayerId other) => Value.CompareTo(other.Value);

    /// <summary>Numeric order.</summary>
    public static bool operator <(LayerId left, LayerId right) => left.Value < right.Value;

    /// <summary>Numeric order.</summary>
    public static bool operator >(LayerId left, LayerId right) => left.Value > right.Value;

    /// <summary>Numeric order.</summary>
    public static bool operator <=(LayerId left, LayerId right) => left.Value <= right.Value;

    /// <summary>Numeric order.</summary>
    public static bool operator >=(LayerId left, LayerId right) => left.Value >= right.Value;

    /// <summary>The decimal number.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
