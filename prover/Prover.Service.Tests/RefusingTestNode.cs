using Grpc.Core;
using Prover.Contracts.Spacemesh.V1;

namespace Prover.Service.Tests;

/// <summary>
/// A node that refuses the first <see cref="Refusals"/> Register calls the way go-spacemesh does (a gRPC error status:
/// "no coinbase" before any request, "already registered" after the metadata exchange), then serves like
/// <see cref="GoSpacemeshNode"/>.
/// </summary>
public sealed class RefusingTestNode(int refusals, GoSpacemeshNode then)
{
    private int _calls;

    public int Refusals { get; } = refusals;

    /// <summary>Register calls seen so far, refused or not.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public async Task RunAsync(NodeSession session)
    {
        int call = Interlocked.Increment(ref _calls);
        if (call > Refusals)
        {
            await then.RunAsync(session);
            return;
        }

        if (call % 2 == 1)
        {
            // go-spacemesh without smeshing-coinbase: refused before the node sends anything.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "no coinbase"));
        }

        await session.MetadataAsync();
        throw new RpcException(new Status(StatusCode.AlreadyExists, "post service already registered"));
    }
}
