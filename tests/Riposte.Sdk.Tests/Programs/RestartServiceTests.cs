using Riposte.Support;

namespace Riposte.Programs;

public sealed class RestartServiceTests
{
    private static string Add(string extraArgs) => Messages.WithSrcIp("add", "203.0.113.45", extraArgs) + "\n";

    [Theory]
    [InlineData("""["nginx"]""", "systemctl restart nginx.service")]
    [InlineData("""["getty@tty1","logrotate.timer","my-app.v2"]""", "systemctl restart getty@tty1.service logrotate.timer my-app.v2.service")]
    [InlineData("""["sshd.service"]""", "systemctl restart sshd.service")]
    public async Task Restarts_the_named_units_without_a_handshake(string extraArgs, string expected)
    {
        using var home = new ArHome();
        home.FakeTool("systemctl");

        var result = await home.RunAsync("restart-service", Add(extraArgs));

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBeEmpty();
        home.CallLines.ShouldBe([expected]);
        home.LogMessages.ShouldBe(["Starting", Add(extraArgs).TrimEnd('\n'), "", "Ended"]);
    }

    [Theory]
    [InlineData("""["-H"]""", "Invalid unit name '-H'")]
    [InlineData("""["nginx;reboot"]""", "Invalid unit name 'nginx;reboot'")]
    [InlineData("""["a b"]""", "Invalid unit name 'a b'")]
    [InlineData("""["../x"]""", "Invalid unit name '../x'")]
    [InlineData("""[".service"]""", "Invalid unit name '.service'")]
    [InlineData("""["x=y"]""", "Invalid extra argument 'x=y'")]
    [InlineData("[]", "Cannot read 'extra_args' from data")]
    public async Task Invalid_units_are_refused(string extraArgs, string message)
    {
        using var home = new ArHome();
        home.FakeTool("systemctl");

        var result = await home.RunAsync("restart-service", Add(extraArgs));

        result.ExitCode.ShouldBe(255);
        home.Calls.ShouldBeEmpty();
        home.LogMessages[^1].ShouldBe(message);
    }

    [Fact]
    public async Task Delete_does_nothing()
    {
        using var home = new ArHome();
        home.FakeTool("systemctl");

        var result = await home.RunAsync("restart-service", Messages.WithSrcIp("delete", "203.0.113.45", """["nginx"]""") + "\n");

        result.ExitCode.ShouldBe(0);
        home.Calls.ShouldBeEmpty();
        home.LogMessages[^2..].ShouldBe(["Nothing to undo for a restart", "Ended"]);
    }

    [Fact]
    public async Task A_failed_restart_is_exit_1()
    {
        using var home = new ArHome();
        home.FakeTool("systemctl", "echo 'Failed to restart nginx.service: Unit nginx.service not found.' >&2; exit 5");

        var result = await home.RunAsync("restart-service", Add("""["nginx"]"""));

        result.ExitCode.ShouldBe(1);
        home.LogMessages[^1].ShouldBe("systemctl restart nginx.service: exit status 5 (Failed to restart nginx.service: Unit nginx.service not found.)");
    }
}
