using Riposte.Config.Settings;
using Riposte.Notifications.Delivery;
using Riposte.Notifications.Infrastructure;

namespace Riposte.Notifications.Channels;

public sealed class EmailChannelTests
{
    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task Every_event_kind_reaches_an_smtp_server_with_the_password_from_its_file(string mechanism)
    {
        using var sink = new SmtpSink(mechanism);
        string passwordFile = Path.Combine(Directory.CreateTempSubdirectory("riposte-pw-").FullName, "password");
        await File.WriteAllTextAsync(passwordFile, "s3cret\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        var target = new NotificationTarget
        {
            Name = "mail",
            Type = NotificationType.Email,
            Email = new EmailSettings
            {
                Host = "127.0.0.1", Port = sink.Port, StartTls = false, User = "riposte", PasswordFile = passwordFile,
                From = "riposte@example.org", To = ["soc@example.org", "oncall@example.org"],
            },
        };
        var (service, run, stop) = audit.Deliver(target);
        await using (service)
        {
            foreach (var (auditEvent, detail, _) in HttpDeliveryTests.Kinds)
            {
                await audit.AddAsync(auditEvent, detail: detail);
            }

            await Poll.UntilAsync(() => sink.Mails.Count >= HttpDeliveryTests.Kinds.Length, "every kind");
            await stop.CancelAsync();
            await run;
        }

        sink.Logins.ShouldAllBe(l => l == $"{mechanism} riposte/s3cret");
        var first = sink.Mails.First();
        first.From.ShouldBe("riposte@example.org");
        first.To.ShouldBe(["soc@example.org", "oncall@example.org"]);
        first.Data.ShouldContain("Subject: [Riposte] blocked 203.0.113.7 by firewall-drop600 (rule 5712)");
        sink.Mails.Select(m => m.Data).ShouldContain(d => d.Contains("Subject: [Riposte] FAILED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Starttls_upgrades_the_connection_before_authenticating()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            selfSigned.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
        using var sink = new SmtpSink("PLAIN", certificate);
        string passwordFile = Path.Combine(Directory.CreateTempSubdirectory("riposte-pw-").FullName, "password");
        await File.WriteAllTextAsync(passwordFile, "s3cret", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var target = new NotificationTarget
        {
            Name = "mail",
            Type = NotificationType.Email,
            Email = new EmailSettings { Host = "127.0.0.1", Port = sink.Port, StartTls = true, User = "riposte", PasswordFile = passwordFile, From = "r@example.org", To = ["soc@example.org"] },
        };
        string? seen = null;
        await using var channel = new EmailChannel(target, TimeSpan.FromSeconds(10))
        {
            CertificateValidation = (_, cert, _, _) =>
            {
                // Pinned to the sink's own certificate: the one thing a self-signed test server can be checked against.
                seen = cert?.Subject;
                return cert?.GetCertHashString() == certificate.GetCertHashString();
            },
        };
        var message = Grouping.DigestText.Build("mail", [new Events.ResponseEvent(1, DateTimeOffset.UnixEpoch, "add", "info", null, "firewall-drop600", null,
            ["192.0.2.1"], "firewall-drop", null, "5712", 10, 0, 1, null, null)], 0, DateTimeOffset.UnixEpoch);
        await channel.SendAsync(message, TestContext.Current.CancellationToken);

        sink.Encrypted.ShouldBeTrue();
        seen.ShouldBe("CN=127.0.0.1");
        sink.Logins.ShouldBe(["PLAIN riposte/s3cret"]);
        sink.Mails.Single().Data.ShouldContain("Subject: [Riposte] blocked 192.0.2.1 by firewall-drop600 (rule 5712)");
    }

    [Fact]
    public async Task A_relay_with_a_private_ca_is_trusted_through_ca_file_and_only_through_it()
    {
        using var authority = TestCa.Create("CN=Riposte Test CA");
        using var other = TestCa.Create("CN=Someone Else's CA");
        using var serverCertificate = authority.Issue("CN=smtp.test", "127.0.0.1");
        using var sink = new SmtpSink("PLAIN", serverCertificate);
        var dir = Directory.CreateTempSubdirectory("riposte-ca-").FullName;
        var caFile = Path.Combine(dir, "ca.pem");
        await File.WriteAllTextAsync(caFile, authority.Pem, TestContext.Current.CancellationToken);
        var otherFile = Path.Combine(dir, "other.pem");
        await File.WriteAllTextAsync(otherFile, other.Pem, TestContext.Current.CancellationToken);
        var message = OneAdd();
        EmailChannel Channel(string? ca) => StartTlsChannel(sink.Port, ca);

        // The system's trust store does not know the private CA, nor does another CA's file.
        await using (var system = Channel(null))
        {
            await Should.ThrowAsync<MailKit.Security.SslHandshakeException>(() => system.SendAsync(message, TestContext.Current.CancellationToken).AsTask());
        }

        await using (var wrong = Channel(otherFile))
        {
            await Should.ThrowAsync<MailKit.Security.SslHandshakeException>(() => wrong.SendAsync(message, TestContext.Current.CancellationToken).AsTask());
        }

        sink.Mails.ShouldBeEmpty();
        await using (var right = Channel(caFile))
        {
            await right.SendAsync(message, TestContext.Current.CancellationToken);
        }

        sink.Encrypted.ShouldBeTrue();
        sink.Mails.ShouldHaveSingleItem().Data.ShouldContain("Subject: [Riposte] blocked 192.0.2.1");

        // The name is checked too: the CA's certificate for another host is refused.
        using var elsewhere = authority.Issue("CN=elsewhere.test", "192.0.2.99");
        using var impostor = new SmtpSink("PLAIN", elsewhere);
        await using var misnamed = StartTlsChannel(impostor.Port, caFile);
        await Should.ThrowAsync<MailKit.Security.SslHandshakeException>(() => misnamed.SendAsync(message, TestContext.Current.CancellationToken).AsTask());
        impostor.Mails.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_ca_file_without_a_certificate_fails_the_send_with_why()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("riposte-ca-").FullName, "empty.pem");
        await File.WriteAllTextAsync(file, "not a certificate\n", TestContext.Current.CancellationToken);
        using var sink = new SmtpSink("PLAIN", null);
        await using var channel = StartTlsChannel(sink.Port, file);
        var message = OneAdd();
        (await Should.ThrowAsync<IOException>(() => channel.SendAsync(message, TestContext.Current.CancellationToken).AsTask())).Message.ShouldContain("holds no PEM certificate");
    }

    private static EmailChannel StartTlsChannel(int port, string? caFile) => new(new NotificationTarget
    {
        Name = "mail",
        Type = NotificationType.Email,
        Email = new EmailSettings { Host = "127.0.0.1", Port = port, StartTls = true, CaFile = caFile, From = "r@example.org", To = ["soc@example.org"] },
    }, TimeSpan.FromSeconds(10));

    private static NotificationMessage OneAdd() => Grouping.DigestText.Build("mail", [new Events.ResponseEvent(1, DateTimeOffset.UnixEpoch, "add", "info", null,
        "firewall-drop600", null, ["192.0.2.1"], "firewall-drop", null, "5712", 10, 0, 1, null, null)], 0, DateTimeOffset.UnixEpoch);
}
