namespace Prover.Core.Pow;

/// <summary>No valid k2pow exists in the searched nonce space (post-rs <c>Error::PoWNotFound</c>).</summary>
public sealed class PowNotFoundException : Exception
{
    public PowNotFoundException()
        : base("PoWNotFound: no valid k2pow nonce in [0, 2^56).")
    {
    }

    public PowNotFoundException(string message)
        : base(message)
    {
    }

    public PowNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
