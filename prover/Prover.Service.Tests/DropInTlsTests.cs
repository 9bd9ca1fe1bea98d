using System.Diagnostics;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Primitives;

namespace Prover.Service.Tests;

/// <summary>
/// TLS as post-rs (tonic/rustls) does it (issue 11, items 3-5): a client certificate chain in <c>--cert</c> is sent
/// whole; <c>http://</c> with TLS flags connects in plaintext with a warning; Ed25519 client keys work.
/// </summary>
public sealed class DropInTlsTests : IDisposable
{
    private const string Ed25519 = "1.3.101.112";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>A node CA with the node's server certificate, and a client root CA → intermediate CA.</summary>
    private sealed class Pki : IDisposable
    {
        public Pki(string root)
        {
            Node = TestCertificates.CreateCa(Path.Combine(root, "node-ca"), "test node CA");
            ClientRoot = TestCertificates.CreateCa(Path.Combine(root, "client-root"), "post-service root CA");
            Intermediate = ClientRoot.CreateIntermediate("post-service intermediate CA");
            // The node trusts the client root only, like go-spacemesh's ClientCAs.
            ServerTls = new ServerTls(Node.Issue("node.test", server: true), ClientRoot.Ca);
        }

        public TestCertificates Node { get; }

        public TestCertificates ClientRoot { get; }

        public TestCertificates Intermediate { get; }

        public ServerTls ServerTls { get; }

        public void Dispose()
        {
            ServerTls.ServerCertificate.Dispose();
            Intermediate.Dispose();
            ClientRoot.Dispose();
            Node.Dispose();
        }
    }

    private static async Task<(GoSpacemeshNode Node, RunningService Service)> ProveAsync(TestNode server, GoSpacemeshNode node, string dir, byte id,
        TlsSettings tls)
    {
        var challenge = NodeProtocolTests.Challenge((byte)(id + 1));
        node.Challenges[TestIdentities.NodeIdHex(id)] = challenge;
        var service = await RunningService.StartAsync(TestIdentities.Options(server.Address, dir) with { Tls = tls }, TestProvers.Create);
        try
        {
            var (response, registered) = await node.ProofFor(TestIdentities.NodeIdHex(id)).WaitAsync(Timeout);
            Assert.Equal(TestIdentities.Metadata(dir).NodeId.ToArray(), registered.NodeId.ToByteArray());
            Assert.NotNull(response.Proof);
        }
        catch (TimeoutException)
        {
            await service.DisposeAsync();
            Assert.Fail(string.Join('\n', node.Failures) + "\n" + service.Log.Dump());
        }

        return (node, service);
    }

    [Fact]
    public async Task Client_certificate_from_an_intermediate_ca_is_sent_with_its_chain_and_proves()
    {
        using var pki = new Pki(_tmp.Path);
        using var leaf = pki.Intermediate.Issue("post-service", server: false);
        var (cert, key) = pki.Intermediate.WritePem(leaf, "client-chain", pki.Intermediate.Ca);
        var dir = TestIdentities.Create(_tmp.Path, 0xd1);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var (_, service) = await ProveAsync(server, node, dir, 0xd1, new TlsSettings(pki.Node.CaPem, cert, key, null));
        await using (service)
        {
            Assert.True(service.Log.Contains("with its intermediates 'CN=post-service intermediate CA'"), service.Log.Dump());
        }
    }

    [Fact]
    public async Task Client_certificate_from_an_intermediate_ca_without_the_intermediate_is_refused_by_the_node()
    {
        using var pki = new Pki(_tmp.Path);
        using var leaf = pki.Intermediate.Issue("post-service", server: false);
        var (cert, key) = pki.Intermediate.WritePem(leaf, "client-alone");
        var dir = TestIdentities.Create(_tmp.Path, 0xd2);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var options = TestIdentities.Options(server.Address, dir) with
        {
            Tls = new TlsSettings(pki.Node.CaPem, cert, key, null),
            MaxRetries = 1,
        };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await service.Stopped.WaitAsync(Timeout);
        Assert.IsType<NodeUnreachableException>(service.Runtime.Failure);
        Assert.Empty(node.Registrations);
        Assert.NotEmpty(pki.ServerTls.ClientKeyAlgorithms); // the node saw the certificate, and refused it
    }

    [Fact]
    public async Task Http_address_with_tls_flags_connects_in_plaintext_with_a_warning()
    {
        using var pki = new Pki(_tmp.Path);
        using var leaf = pki.ClientRoot.Issue("post-service", server: false);
        var (cert, key) = pki.ClientRoot.WritePem(leaf, "client");
        var dir = TestIdentities.Create(_tmp.Path, 0xd3);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        Assert.Equal("http", server.Address.Scheme);
        var options = TestIdentities.Options(server.Address, dir) with { Tls = new TlsSettings(pki.Node.CaPem, cert, key, null) };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        Assert.Null(service.Runtime.Tls);
        await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty);
        Assert.True(service.Log.Contains($"--ca-cert/--cert/--key are ignored for the http:// address {server.Address}"), service.Log.Dump());
    }

    [Fact]
    public async Task Post_serve_with_an_http_address_and_tls_flags_serves_in_plaintext_and_warns_on_stderr()
    {
        using var pki = new Pki(_tmp.Path);
        using var leaf = pki.ClientRoot.Issue("post-service", server: false);
        var (cert, key) = pki.ClientRoot.WritePem(leaf, "client");
        var dir = TestIdentities.Create(_tmp.Path, 0xd4);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        using var p = Process.Start(PostProcess.StartInfo("serve",
            "--address", server.Address.ToString(), "--dir", dir, "--min-num-units", "1",
            "-n", TestIdentities.ScryptN.ToString(), "--k1", TestIdentities.K1.ToString(), "--k2", TestIdentities.K2.ToString(),
            "--randomx-mode", "light", "--ca-cert", pki.Node.CaPem, "--cert", cert, "--key", key))!;
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty || p.HasExited);
            if (p.HasExited)
            {
                Assert.Fail($"post exited with {p.ExitCode}: {await stderr}");
            }

            Assert.Equal(TestIdentities.Metadata(dir).NodeId.ToArray(), node.Registrations.First().NodeId.ToByteArray());
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill();
            }
        }

        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("are ignored for the http:// address", await stderr);
    }

    [Fact]
    public async Task Ed25519_client_key_authenticates_and_proves()
    {
        using var pki = new Pki(_tmp.Path);
        var (cert, key) = pki.ClientRoot.IssueEd25519Client("post-service-ed25519");
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(key));
        var dir = TestIdentities.Create(_tmp.Path, 0xd5);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var (_, service) = await ProveAsync(server, node, dir, 0xd5, new TlsSettings(pki.Node.CaPem, cert, key, null));
        await using (service)
        {
            Assert.Equal(Ed25519, Assert.Single(pki.ServerTls.ClientKeyAlgorithms.Distinct()));
        }
    }

    [Fact]
    public async Task Ed25519_client_key_through_an_intermediate_ca_registers()
    {
        using var pki = new Pki(_tmp.Path);
        var (cert, key) = pki.Intermediate.IssueEd25519Client("post-service-ed25519", pki.Intermediate.Ca);
        var dir = TestIdentities.Create(_tmp.Path, 0xd6);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync, tls: pki.ServerTls);
        var options = TestIdentities.Options(server.Address, dir) with { Tls = new TlsSettings(pki.Node.CaPem, cert, key, null) };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty || service.Stopped.IsCompleted);
        Assert.True(!node.Registrations.IsEmpty, service.Log.Dump());
        Assert.Equal(Ed25519, Assert.Single(pki.ServerTls.ClientKeyAlgorithms.Distinct()));
    }

    [Fact]
    public void Ed25519_key_of_another_certificate_is_reported_before_starting()
    {
        using var pki = new Pki(_tmp.Path);
        var (cert, _) = pki.ClientRoot.IssueEd25519Client("one");
        var (_, otherKey) = pki.ClientRoot.IssueEd25519Client("other");
        var dir = TestIdentities.Create(_tmp.Path, 0xd7);
        var error = Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(TestIdentities.Options(new Uri("https://127.0.0.1:1"), dir) with
        {
            Tls = new TlsSettings(pki.Node.CaPem, cert, otherKey, null),
        }, TestProvers.Create));
        Assert.Contains("the key does not belong to the certificate", error.Message);
        Assert.Contains("--key " + otherKey, error.Message);
    }
}
