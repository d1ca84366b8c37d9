using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Transport;
using Riposte.Nats;

namespace Riposte.Fleet.Enrolment;

public sealed class RekeyAndTlsTests
{
    [Fact]
    public async Task After_a_rekey_and_a_reload_the_old_password_fails_and_the_new_one_works()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await FleetServer.StartAsync(ct: ct);
        var old = FleetCredentials.Read(fleet.Paths.AgentCredentials("001"));
        var before = await fleet.ConnectAgentAsync("001", ct);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        before.ConnectionDisconnected += (_, _) =>
        {
            disconnected.TrySetResult();
            return default;
        };

        fleet.Enrolment.Rekey("001");
        var fresh = FleetCredentials.Read(fleet.Paths.AgentCredentials("001"));
        fresh.Password.ShouldNotBe(old.Password);
        await fleet.Server.ReloadAsync(fleet.Options);

        // nats-server checks connected clients again on reload: the old password's connection is dropped.
        await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await Should.ThrowAsync<NatsException>(() => fleet.ConnectAsync(old, FleetNames.AgentInboxPrefix("001"), "old", null, ct));
        var agent = await fleet.ConnectAgentAsync("001", ct);
        await new NatsJSContext(agent).GetConsumerAsync(FleetNames.CommandStream, FleetNames.AgentConsumer("001"), ct);

        // The other agent and the manager were not touched.
        await fleet.ConnectAgentAsync("002", ct);
        await fleet.ConnectManagerAsync(ct);
    }

    [Fact]
    public async Task A_removed_agent_cannot_connect_after_a_reload()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await FleetServer.StartAsync(ct: ct);
        var credentials = FleetCredentials.Read(fleet.Paths.AgentCredentials("002"));
        fleet.Enrolment.Remove("002").ShouldBeTrue();
        File.Exists(fleet.Paths.AgentCredentials("002")).ShouldBeFalse();
        await fleet.Server.ReloadAsync(fleet.Options);
        await Should.ThrowAsync<NatsException>(() => fleet.ConnectAsync(credentials, FleetNames.AgentInboxPrefix("002"), "gone", null, ct));
        await fleet.ConnectAgentAsync("001", ct);
    }

    [Fact]
    public async Task With_the_tls_block_a_client_trusting_the_ca_connects_and_others_do_not()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        var pki = Directory.CreateTempSubdirectory("riposte-pki-").FullName;
        try
        {
            var (caFile, certFile, keyFile) = WritePki(pki);
            await using var fleet = await FleetServer.StartAsync(NatsServerConfig.RenderTls(new NatsTlsConfig(certFile, keyFile)), ct: ct);
            fleet.Server.Log.ShouldContain("TLS required for client connections");

            var manager = await fleet.ConnectManagerAsync(ct, new FleetTls(caFile));
            manager.ConnectionState.ShouldBe(NatsConnectionState.Open);
            await new NatsJSContext(manager).CreateStreamAsync(new NATS.Client.JetStream.Models.StreamConfig("TLS_CHECK", ["tls.check"]), ct);

            // Not trusting the CA (the system's store only), or not asking for TLS at all: both refused.
            await Should.ThrowAsync<NatsException>(() => fleet.ConnectManagerAsync(ct, new FleetTls(null)));
            await Should.ThrowAsync<NatsException>(() => fleet.ConnectManagerAsync(ct));
        }
        finally
        {
            Directory.Delete(pki, recursive: true);
        }
    }

    [Fact]
    public async Task The_complete_configuration_runs_on_nats_server_with_its_relative_include()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        var root = Directory.CreateTempSubdirectory("riposte-natsconf-").FullName;
        try
        {
            var enrolment = new AgentEnrolment(FleetPaths.For(Path.Combine(root, "ossec"), Path.Combine(root, "ossec", "var", "state.db")));
            enrolment.Add(new EnrolledAgent("001", [], new Dictionary<string, string>()));
            var port = FreePort();
            var configPath = Path.Combine(root, "etc", "nats-server.conf");
            Directory.CreateDirectory(Path.GetDirectoryName(configPath)!);
            var config = new NatsServerConfig
            {
                Listen = $"127.0.0.1:{port}",
                ServerName = "riposte-test",
                StoreDirectory = Path.Combine(root, "js \"quoted\" dir"),
                AuthorizationInclude = NatsServerConfig.IncludePath(configPath, enrolment.Paths.Authorization),
            };
            config.AuthorizationInclude.ShouldBe("../ossec/etc/riposte-fleet/nats-authorization.conf");
            File.WriteAllText(configPath, config.Render());

            using var server = Process.Start(new ProcessStartInfo("nats-server", ["-c", configPath])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            try
            {
                var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var log = new System.Text.StringBuilder();
                server.ErrorDataReceived += (_, e) =>
                {
                    lock (log)
                    {
                        log.AppendLine(e.Data);
                    }

                    if (e.Data?.Contains("Server is ready", StringComparison.Ordinal) == true)
                    {
                        ready.TrySetResult();
                    }
                };
                server.BeginErrorReadLine();
                await Task.WhenAny(ready.Task, server.WaitForExitAsync(ct)).WaitAsync(TimeSpan.FromSeconds(20), ct);
                ready.Task.IsCompleted.ShouldBeTrue(log.ToString());

                var credentials = FleetCredentials.Read(enrolment.Paths.AgentCredentials("001"));
                await using var agent = new NatsConnection(FleetConnection.Options(new FleetConnectionOptions(
                    $"nats://127.0.0.1:{port}", credentials, FleetNames.AgentInboxPrefix("001"), "agent")));
                await agent.ConnectAsync();
                await using var intruder = new NatsConnection(FleetConnection.Options(new FleetConnectionOptions(
                    $"nats://127.0.0.1:{port}", credentials with { Password = "nope" }, FleetNames.AgentInboxPrefix("001"), "intruder")));
                await Should.ThrowAsync<NatsException>(async () => await intruder.ConnectAsync());
                Directory.Exists(Path.Combine(root, "js \"quoted\" dir", "jetstream")).ShouldBeTrue();
            }
            finally
            {
                server.Kill();
                await server.WaitForExitAsync(ct);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_three_node_cluster_configuration_is_valid_for_nats_server()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        var root = Directory.CreateTempSubdirectory("riposte-natsconf-").FullName;
        try
        {
            var (ca, cert, key) = WritePki(root);
            var config = new NatsServerConfig
            {
                ServerName = "n1",
                StoreDirectory = Path.Combine(root, "js"),
                Cluster = new NatsClusterConfig("riposte", "0.0.0.0:6222", ["nats-route://n1.example:6222", "nats-route://n2.example:6222", "nats-route://10.0.0.3:6222"]),
                Tls = new NatsTlsConfig(cert, key, ca, Verify: true),
            };
            var path = Path.Combine(root, "nats.conf");
            File.WriteAllText(path, config.Render());
            using var check = Process.Start(new ProcessStartInfo("nats-server", ["-t", "-c", path]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var output = await check.StandardError.ReadToEndAsync(ct) + await check.StandardOutput.ReadToEndAsync(ct);
            await check.WaitForExitAsync(ct);

            // -t parses everything, including the TLS files, and knows every field name.
            check.ExitCode.ShouldBe(0, output);
            output.ShouldContain("is valid");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static (string Ca, string Cert, string Key) WritePki(string directory)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Riposte Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = TimeProvider.System.GetUtcNow();
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.Create(ca, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(16));

        var paths = (Path.Combine(directory, "ca.pem"), Path.Combine(directory, "server.pem"), Path.Combine(directory, "server.key"));
        File.WriteAllText(paths.Item1, ca.ExportCertificatePem());
        File.WriteAllText(paths.Item2, cert.ExportCertificatePem());
        File.WriteAllText(paths.Item3, serverKey.ExportPkcs8PrivateKeyPem());
        return paths;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
