using System.Buffers.Binary;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>
/// An epoch's 4-byte beacon (go-spacemesh <c>types.Beacon</c>): the VRF input that ties ballot and hare eligibility
/// to the epoch. Stored as the 4 bytes in order; <see cref="ToString"/> is their lowercase hex.
/// </summary>
public readonly record struct Beacon
{
    /// <summary>Bytes of a beacon.</summary>
    public const int Length = 4;

    private readonly uint _bigEndian;

    /// <summary>The beacon made of the first 4 bytes of <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 4 bytes.</exception>
    public Beacon(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new ArgumentException($"a beacon is {Length} bytes, got {bytes.Length}", nameof(bytes));
        }

        _bigEndian = BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>The empty (all-zero) beacon, which go-spacemesh treats as "no beacon".</summary>
    public static Beacon Empty => default;

    /// <summary>True for the all-zero beacon.</summary>
    public bool IsEmpty => _bigEndian == 0;

    /// <summary>Parses 8 hex digits.</summary>
    /// <exception cref="FormatException">Not 8 hex digits.</exception>
    public static Beacon Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 2 * Length)
        {
            throw new FormatException($"a beacon is {2 * Length} hex digits, got {hex.Length}");
        }

        return new Beacon(Convert.FromHexString(hex));
    }

    /// <summary>Writes the 4 bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, _bigEndian);

    /// <summary>The 4 bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public override string ToString() => Convert.ToHexStringLower(ToArray());
}
