using System.Text.Json;
using Prover.Node.Codec;
using Xunit;
using static Prover.Node.Tests.Codec.NodeVectors;

namespace Prover.Node.Tests.Codec;

public class ScaleVectorTests
{
    private static readonly JsonElement[] Vectors = Load("scale.json");

    public static IEnumerable<object[]> Kind(string kind) => Indexed("scale.json", kind);

    [Fact]
    public void Every_vector_kind_in_scale_json_is_covered_by_a_test()
    {
        string[] known =
        [
            "compact", "compact_ptr", "compact_slice", "compact_decode_error", "compact_golden", "fixed_width_le",
            "struct_slice_limit_error", "nested_options", "bool_quirk", "compact_noncanonical_accepted",
        ];
        var kinds = Vectors.Select(v => v.GetProperty("kind").GetString()!).Distinct().ToArray();
        Assert.Empty(kinds.Except(known));
        Assert.True(Vectors.Length >= 100);
    }

    [Theory]
    [MemberData(nameof(Kind), "compact")]
    public void Compact_integers_encode_to_the_go_scale_bytes_and_decode_back(int index)
    {
        var v = Vectors[index];
        var bits = v.GetProperty("bits").GetInt32();
        var value = v.GetProperty("value").GetUInt64();
        var hex = v.Str("hex")!;
        Assert.Equal(hex, Hex(EncodeCompact(bits, value)));
        Assert.Equal(value, DecodeCompactAll(bits, Hex(hex)));
    }

    [Theory]
    [MemberData(nameof(Kind), "compact_ptr")]
    public void Compact_pointers_are_a_bool_tag_then_the_compact_value(int index)
    {
        var v = Vectors[index];
        var bits = v.GetProperty("bits").GetInt32();
        ulong? value = v.IsNull("value") ? null : v.GetProperty("value").GetUInt64();
        var hex = v.Str("hex")!;

        var writer = new ScaleWriter(16);
        writer.WriteBool(value.HasValue);
        if (value is { } x)
        {
            WriteCompact(ref writer, bits, x);
        }

        Assert.Equal(hex, Hex(writer.WrittenSpan));
        writer.Dispose();

        var reader = new ScaleReader(Hex(hex));
        ulong? decoded = reader.ReadBool() ? ReadCompact(ref reader, bits) : null;
        reader.EnsureEnd();
        Assert.Equal(value, decoded);
        if (bits == 64)
        {
            var r64 = new ScaleReader(Hex(hex));
            Assert.Equal(value, r64.ReadCompact64Option());
            var w64 = new ScaleWriter(16);
            w64.WriteCompact64Option(value);
            Assert.Equal(hex, Hex(w64.WrittenSpan));
            w64.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Kind), "compact_slice")]
    public void Compact_slices_are_a_compact_length_then_compact_elements(int index)
    {
        var v = Vectors[index];
        var bits = v.GetProperty("bits").GetInt32();
        var values = v.GetProperty("values").EnumerateArray().Select(e => e.GetUInt64()).ToArray();
        var hex = v.Str("hex")!;

        var writer = new ScaleWriter(32);
        writer.WriteLength(values.Length, ScaleCodec.MaxElements);
        foreach (var x in values)
        {
            WriteCompact(ref writer, bits, x);
        }

        Assert.Equal(hex, Hex(writer.WrittenSpan));
        writer.Dispose();

        var reader = new ScaleReader(Hex(hex));
        var n = reader.ReadLength(ScaleCodec.MaxElements);
        var decoded = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            decoded[i] = ReadCompact(ref reader, bits);
        }

        reader.EnsureEnd();
        Assert.Equal(values, decoded);
    }

    [Theory]
    [MemberData(nameof(Kind), "compact_decode_error")]
    public void Out_of_bound_compact_encodings_are_rejected(int index)
    {
        var v = Vectors[index];
        var bits = v.GetProperty("bits").GetInt32();
        var bytes = Hex(v.Str("hex")!);
        Assert.Throws<ScaleDecodeException>(() => DecodeCompactAll(bits, bytes));
    }

    [Theory]
    [MemberData(nameof(Kind), "compact_golden")]
    public void Golden_compact_cases_decode_or_fail_with_go_scales_message(int index)
    {
        var v = Vectors[index];
        var bits = v.GetProperty("bits").GetInt32();
        var bytes = Hex(v.Str("hex")!);
        if (v.Str("error") is { } error)
        {
            var e = Assert.Throws<ScaleDecodeException>(() => DecodeCompactAll(bits, bytes));
            Assert.Equal(error, e.Detail);
            Assert.Equal(ScaleDecodeException.Prefix + error, e.Message);
        }
        else
        {
            var value = v.GetProperty("value").GetUInt64();
            Assert.Equal(value, DecodeCompactAll(bits, bytes));
            Assert.Equal(v.Str("hex"), Hex(EncodeCompact(bits, value)));
        }
    }

    [Theory]
    [MemberData(nameof(Kind), "fixed_width_le")]
    public void Fixed_width_integers_are_little_endian(int index)
    {
        var v = Vectors[index];
        var bits = v.GetProperty("bits").GetInt32();
        var value = v.GetProperty("value").GetUInt64();
        var writer = new ScaleWriter(8);
        switch (bits)
        {
            case 16: writer.WriteUInt16((ushort)value); break;
            case 32: writer.WriteUInt32((uint)value); break;
            default: writer.WriteUInt64(value); break;
        }

        Assert.Equal(v.Str("hex"), Hex(writer.WrittenSpan));
        writer.Dispose();
        var reader = new ScaleReader(Hex(v.Str("hex")!));
        ulong decoded = bits switch
        {
            16 => reader.ReadUInt16(),
            32 => reader.ReadUInt32(),
            _ => reader.ReadUInt64(),
        };
        reader.EnsureEnd();
        Assert.Equal(value, decoded);
    }

    [Theory]
    [MemberData(nameof(Kind), "struct_slice_limit_error")]
    public void A_struct_slice_over_its_limit_is_rejected_with_go_scales_message(int index)
    {
        var v = Vectors[index];
        var max = v.GetProperty("max").GetUInt32();
        var bytes = Hex(v.Str("hex")!);
        var e = Assert.Throws<ScaleDecodeException>(() =>
        {
            var reader = new ScaleReader(bytes);
            reader.ReadVector<Compact32Box>(max);
        });
        Assert.Equal(v.Str("error"), e.Detail);
        Assert.Equal(ScaleError.TooManyElements, e.Reason);

        // The same elements under a large enough limit decode; on encode the limit is enforced too.
        var reader = new ScaleReader(bytes);
        var items = reader.ReadVector<Compact32Box>(max + 10);
        reader.EnsureEnd();
        Assert.Throws<ScaleEncodeException>(() =>
        {
            var writer = new ScaleWriter(16);
            try
            {
                writer.WriteVector(items, max);
            }
            finally
            {
                writer.Dispose();
            }
        });
    }

    [Theory]
    [MemberData(nameof(Kind), "nested_options")]
    public void Every_option_takes_a_nesting_level_even_when_absent(int index)
    {
        var v = Vectors[index];
        var depth = v.GetProperty("non_nil_depth").GetInt32();
        var max = v.GetProperty("max_nested").GetUInt32();
        var ok = v.GetProperty("ok").GetBoolean();
        var bytes = Hex(v.Str("hex")!);

        var module = new NestedModule();
        var cursor = module;
        for (var i = 0; i < depth; i++)
        {
            cursor.Next = new NestedModule();
            cursor = cursor.Next;
        }

        var writer = new ScaleWriter(16, max);
        try
        {
            if (ok)
            {
                module.Encode(ref writer);
                Assert.Equal(v.Str("hex"), Hex(writer.WrittenSpan));
            }
            else
            {
                Assert.Throws<ScaleEncodeException>(() =>
                {
                    var w = new ScaleWriter(16, max);
                    try
                    {
                        module.Encode(ref w);
                    }
                    finally
                    {
                        w.Dispose();
                    }
                });
            }
        }
        finally
        {
            writer.Dispose();
        }

        if (ok)
        {
            var reader = new ScaleReader(bytes, max);
            var decoded = NestedModule.Decode(ref reader);
            reader.EnsureEnd();
            Assert.Equal(depth, decoded.Depth);
        }
        else
        {
            var e = Assert.Throws<ScaleDecodeException>(() =>
            {
                var reader = new ScaleReader(bytes, max);
                NestedModule.Decode(ref reader);
            });
            Assert.Equal(ScaleError.NestingTooDeep, e.Reason);
            Assert.Equal("nested level is too deep", e.Detail);
        }
    }

    [Theory]
    [MemberData(nameof(Kind), "bool_quirk")]
    public void Any_bool_byte_other_than_one_decodes_as_false(int index)
    {
        var v = Vectors[index];
        var reader = new ScaleReader(Hex(v.Str("hex")!));
        Assert.Equal(v.GetProperty("decoded").GetBoolean(), reader.ReadBool());
        reader.EnsureEnd();
    }

    [Theory]
    [MemberData(nameof(Kind), "compact_noncanonical_accepted")]
    public void Big_int_compacts_with_leading_zeros_are_accepted_and_re_encode_canonically(int index)
    {
        var v = Vectors[index];
        var bits = v.GetProperty("bits").GetInt32();
        var value = DecodeCompactAll(bits, Hex(v.Str("hex")!));
        Assert.Equal(v.GetProperty("value").GetUInt64(), value);
        Assert.Equal(v.Str("canonical_hex"), Hex(EncodeCompact(bits, value)));
    }

    internal static byte[] EncodeCompact(int bits, ulong value)
    {
        var writer = new ScaleWriter(stackalloc byte[16]);
        WriteCompact(ref writer, bits, value);
        var result = writer.ToArray();
        writer.Dispose();
        return result;
    }

    internal static ulong DecodeCompactAll(int bits, byte[] bytes)
    {
        var reader = new ScaleReader(bytes);
        var value = ReadCompact(ref reader, bits);
        reader.EnsureEnd();
        return value;
    }

    private static void WriteCompact(ref ScaleWriter writer, int bits, ulong value)
    {
        switch (bits)
        {
            case 8: writer.WriteCompact8((byte)value); break;
            case 16: writer.WriteCompact16((ushort)value); break;
            case 32: writer.WriteCompact32((uint)value); break;
            default: writer.WriteCompact64(value); break;
        }
    }

    private static ulong ReadCompact(ref ScaleReader reader, int bits) => bits switch
    {
        8 => reader.ReadCompact8(),
        16 => reader.ReadCompact16(),
        32 => reader.ReadCompact32(),
        _ => reader.ReadCompact64(),
    };

    /// <summary>A struct whose only field is a compact32, as in go-scale's struct-slice limit example.</summary>
    internal sealed class Compact32Box : IScaleEncodable, IScaleDecodable<Compact32Box>
    {
        public uint Value { get; set; }

        public static Compact32Box Decode(ref ScaleReader reader) => new() { Value = reader.ReadCompact32() };

        public void Encode(ref ScaleWriter writer) => writer.WriteCompact32(Value);
    }

    /// <summary>go-scale's deep-nesting test module: a struct with one optional pointer to itself.</summary>
    internal sealed class NestedModule : IScaleEncodable, IScaleDecodable<NestedModule>
    {
        public NestedModule? Next { get; set; }

        public int Depth => Next is null ? 0 : 1 + Next.Depth;

        public static NestedModule Decode(ref ScaleReader reader) => new() { Next = reader.ReadOption<NestedModule>() };

        public void Encode(ref ScaleWriter writer) => writer.WriteOption(Next);
    }
}
