using System.Net;

namespace Riposte.Config.Settings;

public sealed class ExampleFileTests
{
    private static readonly string ExamplePath = Path.Combine(SettingsTestHelpers.RepositoryRoot(), "examples", "riposte.json");

    [Fact]
    public void Example_loads_with_no_diagnostics()
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadFile(ExamplePath);
        diagnostics.ShouldBeEmpty(string.Join("\n", diagnostics));
        settings.ShouldNotBeNull();
    }

    [Fact]
    public void Example_values_are_read()
    {
        var s = RiposteSettingsReader.ReadFile(ExamplePath).Settings.ShouldNotBeNull();
        s.Home.ShouldBe("/var/ossec");
        s.Execution.MaxParallel.ShouldBe(16);
        s.Execution.RunTimeout.ShouldBe(TimeSpan.FromMinutes(2));
        s.RepeatedOffenders.Mode.ShouldBe(RepeatedOffenderMode.Decay);
        s.RepeatedOffenders.ForgiveAfter.ShouldBe(TimeSpan.FromDays(7));
        s.Safety.Allowlist.ShouldContain(IPNetwork.Parse("172.16.0.0/12"));
        s.Notifications.Select(n => n.Name).ShouldBe(["ops", "security"]);
        s.Notifications[0].Events.ShouldBe(NotificationEvents.Failure | NotificationEvents.Timeout | NotificationEvents.Abort);
        s.Notifications[0].MinInterval.ShouldBe(TimeSpan.FromMinutes(1));
        s.Notifications[1].Headers["authorization"].ShouldStartWith("Bearer ");
        s.Fleet.Role.ShouldBe(FleetRole.Manager);
        s.Fleet.NatsUrl.ShouldBe(new Uri("tls://nats.example.com:4222"));
        s.Api.Listen.ShouldBe(new ListenEndpoint("127.0.0.1", 9595));
        s.Metrics.Listen.ShouldBe(new ListenEndpoint("127.0.0.1", 9596));

        var drop = s.PolicyFor("firewall-drop600", "firewall-drop");
        drop.Escalation.ShouldBe([TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromDays(1), TimeSpan.FromDays(7)]);
        drop.Notify.ShouldBe(["ops", "security"]);
        drop.MaxNewPerMinute.ShouldBe(120);

        var web = s.PolicyFor("firewall-drop1800", "firewall-drop");
        web.Escalation.ShouldBeNull();
        web.MaxNewPerMinute.ShouldBe(30);
        web.Allowlist.Count.ShouldBe(3);

        s.PolicyFor("netsh300", "netsh").DryRun.ShouldBeTrue();
    }

    [Fact]
    public void Missing_file_is_an_error_naming_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"riposte-missing-{Guid.NewGuid():N}.json");
        var (settings, diagnostics) = RiposteSettingsReader.ReadFile(path);
        settings.ShouldBeNull();
        var diagnostic = diagnostics.ShouldHaveSingleItem();
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.Position.ShouldBe(new SourcePosition(path, 0, 0));
    }

    [Fact]
    public void File_diagnostics_name_the_file_as_given()
    {
        string path = Path.Combine(Path.GetTempPath(), $"riposte-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\n  \"execution\": { \"max_parallel\": 0 }\n}\n");
        try
        {
            var diagnostic = RiposteSettingsReader.ReadFile(path).Diagnostics.ShouldHaveSingleItem();
            diagnostic.Position.ShouldBe(new SourcePosition(path, 2, 34));
            diagnostic.ToString().ShouldStartWith($"{path}:2:34: error: execution.max_parallel must be between 1 and 1024");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
