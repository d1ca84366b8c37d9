namespace Riposte.Engine;

/// <summary>How the engine reports programs it cannot start or does not have.</summary>
public sealed class SpawnFailureTests
{
    [Fact]
    public async Task Spawn_failure_detail_is_wazuh_1317_line_once()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        File.SetUnixFileMode(Path.Combine(h.Home, "active-response", "bin", "firewall-drop"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var outcome = await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"));

        outcome.Result.ShouldBe(ExecResult.Failed);
        outcome.Detail.ShouldBe("(1317): Could not launch command Permission denied (13)");
    }

    [Fact]
    public async Task Absolute_executable_outside_the_bin_directory_is_not_present()
    {
        await using var h = await EngineHarness.CreateAsync("""
            <ossec_config>
              <command><name>abs</name><executable>/bin/true</executable><timeout_allowed>no</timeout_allowed></command>
              <active-response><command>abs</command><location>local</location><level>3</level></active-response>
            </ossec_config>
            """);

        var outcome = await h.ExecAsync(EngineHarness.Body("abs0", "192.0.2.1"));

        outcome.Result.ShouldBe(ExecResult.ProgramMissing);
    }
}
