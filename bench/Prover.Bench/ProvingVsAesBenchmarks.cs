using BenchmarkDotNet.Attributes;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Aes;
using Prover.Kernels.Proving;
using SystemAes = System.Security.Cryptography.Aes;

namespace Prover.Bench;

/// <summary>
/// The proving scan next to plain AES-128-ECB over the same 64 MiB of random labels, one thread each, in one
/// BenchmarkDotNet run. .NET's AES is OpenSSL's libcrypto on Linux (EVP AES-128-ECB, the code <c>openssl speed -evp
/// aes-128-ecb -bytes 16384</c> times): the baseline streams 16 KiB buffers through one encryptor
/// (<see cref="System.Security.Cryptography.ICryptoTransform.TransformBlock"/> = EVP_CipherUpdate on a context set up
/// once, like <c>openssl speed</c>); the one-shot <see cref="System.Security.Cryptography.SymmetricAlgorithm.EncryptEcb(ReadOnlySpan{byte}, Span{byte}, System.Security.Cryptography.PaddingMode)"/>
/// also sets the key up again on every 16 KiB call. The Ratio column is time relative to the baseline (lower = faster).
/// 16 nonces = one group key = one AES block per label, so the scan does the same AES work plus compares and lazy checks.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class ProvingVsAesBenchmarks
{
    private const int DataSize = ProvingBenchmarks.DataSize;
    private const int Buffer = 16 << 10;
    private byte[] _data = [];
    private byte[] _output = [];
    private byte[] _roundKeys = [];
    private SystemAes _systemAes = null!;
    private System.Security.Cryptography.ICryptoTransform _encryptor = null!;
    private PostDataSource _source = null!;
    private ProvingPass _pass = null!;
    private IProvingScanner _scanner = null!;
    private ProvingOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[DataSize];
        new Random(42).NextBytes(_data);
        _output = new byte[Buffer];
        var key = new byte[16];
        new Random(7).NextBytes(key);
        _roundKeys = new byte[AesKeySchedule.ExpandedSize];
        AesKeySchedule.Expand(key, _roundKeys);
        _systemAes = SystemAes.Create();
        _systemAes.Key = key;
        _systemAes.Mode = System.Security.Cryptography.CipherMode.ECB;
        _systemAes.Padding = System.Security.Cryptography.PaddingMode.None;
        _encryptor = _systemAes.CreateEncryptor();

        // Both AES paths must agree before their speeds are compared.
        var ours = new byte[Buffer];
        AesEcb.Encrypt(AesEcb.Best, _roundKeys, _data.AsSpan(0, Buffer), ours);
        _systemAes.EncryptEcb(_data.AsSpan(0, Buffer), _output, System.Security.Cryptography.PaddingMode.None);
        var streamed = new byte[Buffer];
        _encryptor.TransformBlock(_data, 0, Buffer, streamed, 0);
        if (!ours.AsSpan().SequenceEqual(_output) || !ours.AsSpan().SequenceEqual(streamed))
        {
            throw new InvalidOperationException("our AES-128-ECB and System.Security.Cryptography.Aes disagree");
        }

        _source = PostDataSource.FromMemory(_data);
        _pass = ProvingPass.Create(Challenge.Zero, 0, 16, new ulong[1], 0);
        _scanner = new ProvingScannerFactory().Create(_pass);
        _options = new ProvingOptions { Nonces = 16, Threads = 1, BatchSize = 1 << 20 };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encryptor.Dispose();
        _systemAes.Dispose();
    }

    [Benchmark(Baseline = true, Description = ".NET AES-ECB encryptor (OpenSSL libcrypto), 16 KiB TransformBlock, 1 thread")]
    [BytesPerOperation(DataSize)]
    public void SystemAesEcbStream()
    {
        for (int at = 0; at < DataSize; at += Buffer)
        {
            _encryptor.TransformBlock(_data, at, Buffer, _output, 0);
        }
    }

    [Benchmark(Description = ".NET Aes.EncryptEcb one-shot (OpenSSL libcrypto), 16 KiB buffers, 1 thread")]
    [BytesPerOperation(DataSize)]
    public void SystemAesEcbOneShot()
    {
        for (int at = 0; at < DataSize; at += Buffer)
        {
            _systemAes.EncryptEcb(_data.AsSpan(at, Buffer), _output, System.Security.Cryptography.PaddingMode.None);
        }
    }

    [Benchmark(Description = "our AES-128-ECB (best path), 16 KiB buffers, 1 thread")]
    [BytesPerOperation(DataSize)]
    public void OurAesEcb()
    {
        for (int at = 0; at < DataSize; at += Buffer)
        {
            AesEcb.Encrypt(AesEcb.Best, _roundKeys, _data.AsSpan(at, Buffer), _output);
        }
    }

    [Benchmark(Description = "prove (8/56 scan, difficulty 0), 16 nonces, 1 thread")]
    [BytesPerOperation(DataSize)]
    public long Prove16Nonces1Thread() => PostProver.ScanOnce(_source, _pass, _scanner, ProvingBenchmarks.NoHits.Instance, _options);
}
