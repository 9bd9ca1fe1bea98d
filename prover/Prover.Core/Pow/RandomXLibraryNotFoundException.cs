namespace Prover.Core.Pow;

/// <summary>The RandomX shared library (tevador RandomX, Debian package <c>librandomx0</c>) could not be loaded.</summary>
public sealed class RandomXLibraryNotFoundException : Exception
{
    public RandomXLibraryNotFoundException()
        : this("randomx")
    {
    }

    public RandomXLibraryNotFoundException(string tried)
        : base(BuildMessage(tried))
    {
    }

    public RandomXLibraryNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private static string BuildMessage(string tried) =>
        $"The RandomX native library could not be loaded (tried: {tried}). k2pow needs tevador RandomX: on " +
        "Debian/Ubuntu install the package 'librandomx0' (run scripts/install-deps.sh as root, or " +
        "'apt-get install librandomx0'), or set POST_RANDOMX_LIBRARY to the path of a RandomX shared library.";
}
