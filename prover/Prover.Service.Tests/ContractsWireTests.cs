using Google.Protobuf;
using Prover.Contracts.Spacemesh.V1;

namespace Prover.Service.Tests;

/// <summary>
/// The generated messages encode exactly as spacemesh.v1 defines them: bytes assembled by hand from the field numbers
/// and wire types of the spec (§8.2), for post-service's upstream test exchange (§8.3).
/// </summary>
public sealed class ContractsWireTests
{
    private static byte[] Rep(byte b, int n = 32) => Enumerable.Repeat(b, n).ToArray();

    private static byte[] Field(int number, byte[] payload) =>
        [(byte)((number << 3) | 2), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Varint(ulong v)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(v & 0x7f);
            v >>= 7;
            bytes.Add(v == 0 ? b : (byte)(b | 0x80));
        }
        while (v != 0);
        return [.. bytes];
    }

    [Fact]
    public void Node_requests_have_upstream_field_numbers()
    {
        Assert.Equal(new byte[] { 0x0a, 0x00 }, new NodeRequest { Metadata = new MetadataRequest() }.ToByteArray());
        var challenge = Rep(0xca);
        var genProof = new NodeRequest { GenProof = new GenProofRequest { Challenge = ByteString.CopyFrom(challenge) } };
        Assert.Equal(Field(2, Field(1, challenge)), genProof.ToByteArray());
        Assert.Equal(genProof, NodeRequest.Parser.ParseFrom(Field(2, Field(1, challenge))));
    }

    [Fact]
    public void Proof_response_of_the_upstream_exchange_encodes_byte_for_byte()
    {
        var response = new ServiceResponse
        {
            GenProof = new GenProofResponse
            {
                Status = GenProofStatus.Ok,
                Proof = new Proof { Nonce = 1, Indices = ByteString.CopyFrom(Rep(0xaa)), Pow = 7 },
                Metadata = new ProofMetadata
                {
                    Challenge = ByteString.CopyFrom(Rep(0xca)),
                    Meta = new Metadata
                    {
                        NodeId = ByteString.CopyFrom(Rep(0xbb)),
                        CommitmentAtxId = ByteString.CopyFrom(Rep(0xcc)),
                        Nonce = 12,
                        NumUnits = 4,
                        LabelsPerUnit = 256,
                    },
                },
            },
        };

        byte[] proof = [0x08, 0x01, .. Field(2, Rep(0xaa)), 0x18, 0x07];
        byte[] meta = [.. Field(1, Rep(0xbb)), .. Field(2, Rep(0xcc)), 0x18, 0x0c, 0x20, 0x04, 0x28, 0x80, 0x02];
        byte[] proofMetadata = [.. Field(1, Rep(0xca)), .. Field(2, meta)];
        byte[] genProof = [0x08, 0x01, .. Field(2, proof), .. Field(3, proofMetadata)];
        byte[] expected = Field(2, genProof);

        Assert.Equal(expected, response.ToByteArray());
        Assert.Equal(response, ServiceResponse.Parser.ParseFrom(expected));
    }

    [Fact]
    public void Metadata_response_uses_field_one_and_status_enum_values_match()
    {
        var meta = new Metadata { NodeId = ByteString.CopyFrom(Rep(1)), NumUnits = 2 };
        Assert.Equal(Field(1, Field(1, meta.ToByteArray())), new ServiceResponse { Metadata = new MetadataResponse { Meta = meta } }.ToByteArray());
        Assert.Equal(0, (int)GenProofStatus.Unspecified);
        Assert.Equal(1, (int)GenProofStatus.Ok);
        Assert.Equal(2, (int)GenProofStatus.Error);
    }

    [Fact]
    public void Service_descriptor_matches_the_grpc_path()
    {
        var service = PostReflection.Descriptor.Services.Single(s => s.Name == "PostService");
        Assert.Equal("spacemesh.v1.PostService", service.FullName);
        var register = service.FindMethodByName("Register");
        Assert.True(register.IsClientStreaming);
        Assert.True(register.IsServerStreaming);
        Assert.Equal("spacemesh.v1.ServiceResponse", register.InputType.FullName);
        Assert.Equal("spacemesh.v1.NodeRequest", register.OutputType.FullName);
        Assert.Equal("spacemesh/v1/post.proto", PostReflection.Descriptor.Name);
        Assert.Equal("spacemesh/v1/post_types.proto", PostTypesReflection.Descriptor.Name);
        Assert.True(Metadata.Descriptor.FindFieldByNumber(3).HasPresence);
    }
}
