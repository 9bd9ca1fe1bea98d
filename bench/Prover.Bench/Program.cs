using BenchmarkDotNet.Running;

namespace Prover.Bench;

/// <summary>BenchmarkDotNet entry point: <c>dotnet run -c Release --project bench/Prover.Bench -- --filter '*Init*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
