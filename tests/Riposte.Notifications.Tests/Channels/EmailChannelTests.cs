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
}
