namespace Riposte.Engine;

/// <summary>How the engine copes with programs it cannot start or does not have, and with a log it must not write.</summary>
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

    [Fact]
    public async Task Engine_keeps_running_with_a_symlinked_log_and_leaves_its_target_alone()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        var target = Path.Combine(h.Home, "target");
        File.WriteAllText(target, "untouched\n");
        File.CreateSymbolicLink(Path.Combine(h.Home, "logs", "active-responses.log"), target);

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"))).Result.ShouldBe(ExecResult.Continued);
        // The delete writes Riposte's "Deleted ..." line to the log.
        await h.AdvanceAsync(TimeSpan.FromSeconds(601), () => h.Calls().Count(c => c.Text.Contains("\"command\":\"delete\"", StringComparison.Ordinal)) == 1);
        await EngineHarness.WaitForAsync(() => h.Engine.ScheduledCount == 0);
        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.2"))).Result.ShouldBe(ExecResult.Continued);

        File.ReadAllText(target).ShouldBe("untouched\n");
    }
}
