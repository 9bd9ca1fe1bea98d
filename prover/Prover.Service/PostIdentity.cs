using Google.Protobuf;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core;
using Prover.Core.Data;

namespace Prover.Service;

/// <summary>One PoST identity served by this process: a data directory and its metadata (read once at start).</summary>
public sealed class PostIdentity
{
    public PostIdentity(string dataDir, PostMetadata metadata)
    {
        DataDir = dataDir;
        Metadata = metadata;
        NodeIdHex = metadata.NodeId.ToString();
        ProtoMetadata = new Metadata
        {
            NodeId = ByteString.CopyFrom(metadata.NodeId.Span),
            CommitmentAtxId = ByteString.CopyFrom(metadata.CommitmentAtxId.Span),
            NumUnits = metadata.NumUnits,
            LabelsPerUnit = metadata.LabelsPerUnit,
        };
        if (metadata.Nonce is { } nonce)
        {
            ProtoMetadata.Nonce = nonce;
        }
    }

    public string DataDir { get; }

    public PostMetadata Metadata { get; }

    /// <summary>Lower-case hex of the node id: the key of <c>/status/{id}</c> and of the metrics labels.</summary>
    public string NodeIdHex { get; }

    /// <summary>Short form for log lines.</summary>
    public string ShortId => NodeIdHex[..12];

    /// <summary>The <c>Metadata</c> message answered to <c>MetadataRequest</c> (do not mutate; clone before sending).</summary>
    internal Metadata ProtoMetadata { get; }

    /// <summary>Loads <c>postdata_metadata.json</c> of <paramref name="dataDir"/> and checks its units against the options.</summary>
    public static PostIdentity Load(string dataDir, PostServiceOptions options)
    {
        if (!Directory.Exists(dataDir))
        {
            throw new InvalidInputException("dataDir", $"--dir {dataDir}: directory not found");
        }

        var metadata = PostMetadata.Load(dataDir);
        options.ValidateUnits(metadata, dataDir);
        return new PostIdentity(dataDir, metadata);
    }
}
