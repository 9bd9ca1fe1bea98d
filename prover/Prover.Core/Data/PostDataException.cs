namespace Prover.Core.Data;

/// <summary>Bad or inconsistent PoST data or parameters: the message names the file, field or flag at fault.</summary>
public class PostDataException : Exception
{
    public PostDataException()
    {
    }

    public PostDataException(string message) : base(message)
    {
    }

    public PostDataException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
