using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Primitives;

namespace Prover.Service.Tests;

/// <summary>mTLS with certificates generated at run time: the node requires a client certificate from its CA.</summary>
public sealed class MutualTlsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private sealed record Pki(TestCertificates Node, TestCertificates Clients, ServerTls ServerTls, string ClientCert, string ClientKey) : IDisposable
    {
        public void Dispose()
        {
            Node.Dispose();
            Clients.Dispose();
            ServerTls.ServerCertificate.Dispose();
        }
    }

    private Pki CreatePki()
    {
        var nodeCa = TestCertificates.CreateCa(Path.Combine(_tmp.Path, "node-ca"), "test node CA");
        var clientCa = TestCertificates.CreateCa(Path.Combine(_tmp.Path, "client-ca"), "test post-service CA");
        var serverCert = nodeCa.Issue("node.test", server: true);
        using var clientCert = clientCa.Issue("post-service", server: false);
        var (cert, key) = clientCa.WritePem(clientCert, "client");
        return new Pki(nodeCa, clientCa, new ServerTls(serverCert, clientCa.Ca), cert, key);
    }

    [Fact]
    public async Task Mutual_tls_connection_registers_the_identity()
    {
        using var pki = CreatePki();
        var dir = TestIdentities.Create(_tmp.Path, 0x21);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var options = TestIdentities.Options(server.Address, dir) with
        {
            Tls = new TlsSettings(pki.Node.CaPem, pki.ClientCert, pki.ClientKey, null),
        };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty);
        Assert.Equal(TestIdentities.Metadata(dir).NodeId.ToArray(), node.Registrations.First().NodeId.ToByteArray());
    }

    [Fact]
    public async Task Domain_overrides_the_server_name()
    {
        using var pki = CreatePki();
        var dir = TestIdentities.Create(_tmp.Path, 0x22);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var options = TestIdentities.Options(server.Address, dir) with
        {
            Tls = new TlsSettings(pki.Node.CaPem, pki.ClientCert, pki.ClientKey, "node.test"),
        };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty);
    }

    [Fact]
    public async Task Server_name_mismatch_is_refused_with_a_clear_log_line()
    {
        using var pki = CreatePki();
        var dir = TestIdentities.Create(_tmp.Path, 0x23);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var options = TestIdentities.Options(server.Address, dir) with
        {
            Tls = new TlsSettings(pki.Node.CaPem, pki.ClientCert, pki.ClientKey, "other.test"),
            MaxRetries = 1,
        };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        try
        {
            await service.Stopped.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            Assert.Fail(service.Log.Dump());
        }

        Assert.True(service.Log.Contains("does not match the expected server name 'other.test'"), service.Log.Dump());
        Assert.Empty(node.Registrations);
    }

    [Fact]
    public async Task Wrong_ca_is_refused_with_a_clear_log_line()
    {
        using var pki = CreatePki();
        using var stranger = TestCertificates.CreateCa(Path.Combine(_tmp.Path, "stranger-ca"), "some other CA");
        var dir = TestIdentities.Create(_tmp.Path, 0x24);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var options = TestIdentities.Options(server.Address, dir) with
        {
            Tls = new TlsSettings(stranger.CaPem, pki.ClientCert, pki.ClientKey, null),
            MaxRetries = 2,
        };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await service.Stopped.WaitAsync(Timeout);
        Assert.True(service.Log.Contains("is not trusted by the CA in --ca-cert " + stranger.CaPem), service.Log.Dump());
        Assert.True(service.Log.Contains("CN=node.test"), service.Log.Dump());
        Assert.IsType<NodeUnreachableException>(service.Runtime.Failure);
        Assert.Empty(node.Registrations);
    }

    [Fact]
    public async Task Client_certificate_from_an_unknown_ca_is_refused_by_the_node()
    {
        using var pki = CreatePki();
        using var stranger = TestCertificates.CreateCa(Path.Combine(_tmp.Path, "stranger-ca"), "some other CA");
        using var strangerClient = stranger.Issue("intruder", server: false);
        var (cert, key) = stranger.WritePem(strangerClient, "intruder");
        var dir = TestIdentities.Create(_tmp.Path, 0x25);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var options = TestIdentities.Options(server.Address, dir) with
        {
            Tls = new TlsSettings(pki.Node.CaPem, cert, key, null),
            MaxRetries = 1,
        };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await service.Stopped.WaitAsync(Timeout);
        Assert.Empty(node.Registrations);
        Assert.True(service.Log.Contains("connection to"), service.Log.Dump());
    }

    [Fact]
    public void Missing_files_and_mismatched_key_are_reported_before_starting()
    {
        using var pki = CreatePki();
        var dir = TestIdentities.Create(_tmp.Path, 0x26);
        var https = new Uri("https://127.0.0.1:1");

        var missing = Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(TestIdentities.Options(https, dir) with
        {
            Tls = new TlsSettings(Path.Combine(_tmp.Path, "nope.pem"), pki.ClientCert, pki.ClientKey, null),
        }, TestProvers.Create));
        Assert.Contains("--ca-cert", missing.Message);
        Assert.Contains("file not found", missing.Message);

        // The key of another certificate.
        using var other = pki.Clients.Issue("other", server: false);
        var (_, otherKey) = pki.Clients.WritePem(other, "other");
        var mismatch = Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(TestIdentities.Options(https, dir) with
        {
            Tls = new TlsSettings(pki.Node.CaPem, pki.ClientCert, otherKey, null),
        }, TestProvers.Create));
        Assert.Contains("--cert", mismatch.Message);
        Assert.Contains("--key", mismatch.Message);

        var noTls = Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(TestIdentities.Options(https, dir), TestProvers.Create));
        Assert.Contains("https needs --ca-cert, --cert and --key", noTls.Message);

        var notPem = Path.Combine(_tmp.Path, "garbage.pem");
        File.WriteAllText(notPem, "not a certificate");
        var garbage = Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(TestIdentities.Options(https, dir) with
        {
            Tls = new TlsSettings(notPem, pki.ClientCert, pki.ClientKey, null),
        }, TestProvers.Create));
        Assert.Contains("no certificate found", garbage.Message);
    }
}
