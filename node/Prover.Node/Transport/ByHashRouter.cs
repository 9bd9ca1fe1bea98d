namespace Prover.Node.Transport;

/// <summary>
/// The one handler of <see cref="Protocols.ByHash"/> on an <see cref="IRequester"/>, dispatching each request by its
/// <see cref="FetchHint"/> byte to the lookup registered for that hint, so ATX sync and consensus can each serve their
/// own records over the same protocol. A lookup returns the blob or null (answered as an empty response); an unknown
/// hint or a hash of the wrong length fails the request.
/// </summary>
public sealed class ByHashRouter
{
    private readonly Dictionary<FetchHint, (int HashLength, Func<ReadOnlyMemory<byte>, byte[]?> Lookup)> _lookups = [];
    private readonly Lock _gate = new();

    /// <summary>Registers itself as the <see cref="Protocols.ByHash"/> handler of <paramref name="requester"/>.</summary>
    public ByHashRouter(IRequester requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        requester.Handle(Protocols.ByHash, Serve);
    }

    /// <summary>Serves <paramref name="hint"/> with <paramref name="lookup"/>, for hashes of <paramref name="hashLength"/>
    /// bytes (one lookup per hint; a later one replaces it).</summary>
    public void Register(FetchHint hint, int hashLength, Func<ReadOnlyMemory<byte>, byte[]?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hashLength);
        lock (_gate) _lookups[hint] = (hashLength, lookup);
    }

    /// <summary>Builds the request bytes: hint ‖ hash.</summary>
    public static byte[] Request(FetchHint hint, ReadOnlySpan<byte> hash) => [(byte)hint, .. hash];

    private ValueTask<byte[]> Serve(PeerId sender, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        if (request.IsEmpty) throw new InvalidDataException("an empty by-hash request");
        var hint = (FetchHint)request.Span[0];
        (int HashLength, Func<ReadOnlyMemory<byte>, byte[]?> Lookup) entry;
        lock (_gate)
        {
            if (!_lookups.TryGetValue(hint, out entry)) throw new InvalidDataException($"no records for by-hash hint {(byte)hint}");
        }

        var hash = request[1..];
        if (hash.Length != entry.HashLength)
        {
            throw new InvalidDataException($"a by-hash request for hint {hint} carries {hash.Length} bytes, expected {entry.HashLength}");
        }

        return ValueTask.FromResult(entry.Lookup(hash) ?? []);
    }
}
