using Grpc.Core;

namespace Prover.Service.Tests;

/// <summary>
/// <c>/spacemesh.v1.PostService/Register</c> at the byte level: the script writes arbitrary message payloads (gRPC frames
/// with any content) and reads the service's responses undecoded. Used to fuzz the service's request decoding.
/// </summary>
[BindServiceMethod(typeof(RawPostServiceBase), nameof(BindService))]
public abstract class RawPostServiceBase
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private static readonly Method<byte[], byte[]> RegisterMethod =
        new(MethodType.DuplexStreaming, "spacemesh.v1.PostService", "Register", Bytes, Bytes);

    public static void BindService(ServiceBinderBase binder, RawPostServiceBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(RegisterMethod, service is null ? null : service.Register);
    }

    // Grpc.AspNetCore binds the override of this virtual method (as for generated service bases).
    public virtual Task Register(IAsyncStreamReader<byte[]> requestStream, IServerStreamWriter<byte[]> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "Register"));
}

/// <summary>The raw service of <see cref="TestNode"/>: hands each stream to the test's script.</summary>
public sealed class RawPostService(TestNode.Scripts scripts) : RawPostServiceBase
{
    public override Task Register(IAsyncStreamReader<byte[]> requestStream, IServerStreamWriter<byte[]> responseStream, ServerCallContext context) =>
        scripts.Raw!(new RawSession(requestStream, responseStream, context.CancellationToken));
}

/// <summary>A Register stream carrying raw payloads.</summary>
public sealed class RawSession(IAsyncStreamReader<byte[]> responses, IServerStreamWriter<byte[]> requests, CancellationToken aborted)
{
    public CancellationToken Aborted { get; } = aborted;

    public Task SendAsync(byte[] payload) => requests.WriteAsync(payload, Aborted);

    /// <summary>The next response payload, or null when the service closed the stream.</summary>
    public async Task<byte[]?> ReceiveAsync() => await responses.MoveNext(Aborted) ? responses.Current : null;
}
