using Riposte.State;

namespace Riposte.Engine;

public sealed class ResponseEngineTests
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromSeconds(600);

    [Fact]
    public async Task Program_receives_execd_exact_bytes_for_add_continue_abort_and_delete()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        var a3 = Fixtures.Wire("A3");

        (await h.ExecAsync(a3)).Result.ShouldBe(ExecResult.Continued);
        (await h.ExecAsync(a3)).Result.ShouldBe(ExecResult.Aborted);
        await h.AdvanceAsync(TenMinutes + TimeSpan.FromSeconds(1), () => h.Calls().Count == 5);
        await EngineHarness.WaitForAsync(() => h.Store.CountTimeoutsAsync(CancellationToken.None).AsTask().Result == 0);

        var calls = h.Calls();
        calls.Select(c => c.Text).ShouldBe([Fixtures.Wire("A4"), Fixtures.Wire("A6"), Fixtures.Wire("A4"), Fixtures.Wire("A7"), Fixtures.Wire("A8")]);
        (await h.Store.ListTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Delete_runs_only_after_the_timeout_strictly()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(timeout: 60));
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        await h.ExecAsync(EngineHarness.Body("firewall-drop60", "192.0.2.1"));

        h.Time.Advance(TimeSpan.FromSeconds(60));
        await Task.Delay(300, TestContext.Current.CancellationToken);
        h.Calls().Count.ShouldBe(2);

        await h.AdvanceAsync(TimeSpan.FromMilliseconds(5), () => h.Calls().Count == 3);
        h.Calls()[2].Text.ShouldContain("\"command\":\"delete\"");
    }

    [Fact]
    public async Task State_lists_the_active_response_with_its_keys()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        await h.ExecAsync(EngineHarness.Body("firewall-drop600", "198.51.100.7", "42.7"));

        var entry = (await h.Store.ListTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
        entry.RKey.ShouldBe("firewall-drop-198.51.100.7");
        entry.Keys.ShouldBe(["198.51.100.7"]);
        entry.ArName.ShouldBe("firewall-drop600");
        entry.AlertId.ShouldBe("42.7");
        entry.Program.ShouldBe("active-response/bin/firewall-drop");
        entry.Status.ShouldBe(EntryStatus.Active);
        entry.DurationSeconds.ShouldBe(600);
        entry.AddedAt.ShouldBe(h.Time.GetUtcNow());
    }

    [Fact]
    public async Task Repeated_offenders_follow_wazuhs_worked_example()
    {
        var conf = EngineHarness.Conf(extra: "<active-response><repeated_offenders>1,5,10</repeated_offenders></active-response>");
        await using var h = await EngineHarness.CreateAsync(conf);
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        var durations = new List<long>();
        for (var offense = 0; offense < 6; offense++)
        {
            (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"))).Result.ShouldBe(ExecResult.Continued);
            var entry = (await h.Store.ListTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
            durations.Add(entry.DurationSeconds);
            var calls = h.Calls().Count;
            await h.AdvanceAsync(TimeSpan.FromSeconds(entry.DurationSeconds + 1), () => h.Calls().Count == calls + 1);
            await EngineHarness.WaitForAsync(() => h.Store.CountTimeoutsAsync(CancellationToken.None).AsTask().Result == 0);
        }

        durations.ShouldBe([600, 60, 300, 600, 600, 600]);
    }

    [Fact]
    public async Task Repeated_offenders_count_aborted_repeats_and_shorten_the_block_quirk_Q13()
    {
        var conf = EngineHarness.Conf(extra: "<active-response><repeated_offenders>1,5,10</repeated_offenders></active-response>");
        await using var h = await EngineHarness.CreateAsync(conf);
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"));
        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"))).Result.ShouldBe(ExecResult.Aborted);

        var entry = (await h.Store.ListTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
        entry.DurationSeconds.ShouldBe(60);
        entry.Offense.ShouldBe(2);
    }

    [Fact]
    public async Task Counters_survive_a_restart()
    {
        var conf = EngineHarness.Conf(extra: "<active-response><repeated_offenders>1,5,10</repeated_offenders></active-response>");
        await using var h = await EngineHarness.CreateAsync(conf);
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"));
        await h.AdvanceAsync(TimeSpan.FromSeconds(601), () => h.Calls().Count == 3);
        await EngineHarness.WaitForAsync(() => h.Store.CountTimeoutsAsync(CancellationToken.None).AsTask().Result == 0);

        await h.StopAsync();
        await h.StartAsync(conf);
        await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"));

        (await h.Store.ListTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldHaveSingleItem().DurationSeconds.ShouldBe(60);
    }

    [Fact]
    public async Task Decay_forgives_a_quiet_offender()
    {
        var conf = EngineHarness.Conf(extra: "<active-response><repeated_offenders>1,5,10</repeated_offenders></active-response>");
        await using var h = await EngineHarness.CreateAsync(conf, o => o with { ForgiveAfter = TimeSpan.FromHours(1) });
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"));
        await h.AdvanceAsync(TimeSpan.FromSeconds(601), () => h.Calls().Count == 3);
        await EngineHarness.WaitForAsync(() => h.Store.CountTimeoutsAsync(CancellationToken.None).AsTask().Result == 0);

        h.Time.Advance(TimeSpan.FromHours(2));
        await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"));

        (await h.Store.ListTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldHaveSingleItem().DurationSeconds.ShouldBe(600);
    }

    [Fact]
    public async Task Program_that_prints_nothing_is_never_added_quirk_Q11()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", "#!/bin/bash\nIFS= read -r line\nprintf '%s\\n' \"$line\" >> \"$PWD/seen\"\n");

        var outcome = await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.9"));

        outcome.Result.ShouldBe(ExecResult.NoKeys);
        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        File.ReadAllLines(Path.Combine(h.Home, "seen")).ShouldHaveSingleItem().ShouldContain("\"command\":\"add\"");
    }

    [Fact]
    public async Task Non_check_keys_line_gives_the_basename_as_key()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", "#!/bin/bash\nIFS= read -r line\necho 'hello, not json'\nIFS= read -r answer\n");

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"))).RKey.ShouldBe("firewall-drop");
        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.2"))).Result.ShouldBe(ExecResult.Aborted);
    }

    [Fact]
    public async Task Stateless_responses_always_continue_and_keep_no_state()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        (await h.ExecAsync(EngineHarness.Body("firewall-drop0", "192.0.2.1"))).Result.ShouldBe(ExecResult.Continued);
        (await h.ExecAsync(EngineHarness.Body("firewall-drop0", "192.0.2.1"))).Result.ShouldBe(ExecResult.Continued);

        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        h.Calls().Where(c => c.Line == 2).ShouldAllBe(c => c.Text.Contains("\"command\":\"continue\""));
    }

    [Fact]
    public async Task Hung_program_is_killed_and_others_keep_running()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(extra: """
            <command><name>hang</name><executable>hang</executable><timeout_allowed>yes</timeout_allowed></command>
            <active-response><command>hang</command><location>local</location><level>3</level><timeout>60</timeout></active-response>
            """));
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        h.WriteProgram("hang", "#!/bin/bash\ncat > /dev/null\n");

        var hung = h.ExecAsync(EngineHarness.Body("hang60", "192.0.2.66"));
        var normal = await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"));

        normal.Result.ShouldBe(ExecResult.Continued);
        hung.IsCompleted.ShouldBeFalse();
        var killed = await hung;
        killed.Result.ShouldBe(ExecResult.Failed);
        killed.Detail.ShouldContain("no control line");
        var audit = await h.Store.QueryAuditAsync(new AuditQuery(Event: "kill"), TestContext.Current.CancellationToken);
        audit.ShouldHaveSingleItem().Program.ShouldBe("active-response/bin/hang");
        File.ReadAllText(h.Engine.Log.Path).ShouldContain("riposte: Killed active-response/bin/hang: no control line");
    }

    [Fact]
    public async Task Bad_messages_are_rejected_and_the_engine_keeps_running()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        (await h.ExecAsync("unknown")).Detail.ShouldBe("(1315): Invalid JSON message: 'unknown'");
        (await h.ExecAsync("{}")).Detail.ShouldBe("(1316): Invalid AR command: '{}'");
        (await h.ExecAsync(EngineHarness.Body("nope0", "192.0.2.1"))).Detail.ShouldBe("(1311): Invalid command name 'nope0' provided.");
        (await h.ExecAsync(EngineHarness.Body("!../../bin/sh", "192.0.2.1"))).Detail.ShouldBe("(1311): Invalid command name '!../../bin/sh' provided.");
        (await h.ExecAsync(EngineHarness.Body("!missing", "192.0.2.1"))).Detail.ShouldContain("No such file or directory");

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"))).Result.ShouldBe(ExecResult.Continued);
        var failures = await h.Store.QueryAuditAsync(new AuditQuery(Event: "failure"), TestContext.Current.CancellationToken);
        failures.Count.ShouldBe(5);
    }

    [Fact]
    public async Task Configured_but_absent_program_is_ignored()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"))).Result.ShouldBe(ExecResult.ProgramMissing);

        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"))).Result.ShouldBe(ExecResult.Continued);
    }

    [Fact]
    public async Task Non_executable_program_is_a_recorded_failure()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        File.SetUnixFileMode(Path.Combine(h.Home, "active-response", "bin", "firewall-drop"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var outcome = await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"));

        outcome.Result.ShouldBe(ExecResult.Failed);
        outcome.Detail.ShouldContain("Permission denied");
    }

    [Fact]
    public async Task Oversized_control_line_is_reported_and_handled_like_execd()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", "#!/bin/bash\nIFS= read -r line\nhead -c 20000 /dev/zero | tr '\\0' x; echo\nIFS= read -r answer\n");

        var outcome = await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"));

        outcome.Result.ShouldBe(ExecResult.Continued);
        outcome.RKey.ShouldBe("firewall-drop");
    }

    [Fact]
    public async Task Overdue_deletes_run_on_start_after_a_stop()
    {
        var conf = EngineHarness.Conf(timeout: 60);
        await using var h = await EngineHarness.CreateAsync(conf);
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        await h.ExecAsync(EngineHarness.Body("firewall-drop60", "192.0.2.1"));
        await h.StopAsync();
        h.Calls().Count.ShouldBe(2);

        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.StartAsync(conf);

        await EngineHarness.WaitForAsync(() => h.Calls().Count == 3);
        h.Calls()[2].Text.ShouldContain("\"command\":\"delete\"");
    }

    [Fact]
    public async Task Graceful_stop_keeps_blocks_by_default_and_reverts_when_configured()
    {
        await using (var keep = await EngineHarness.CreateAsync(EngineHarness.Conf()))
        {
            keep.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
            await keep.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"));
            await keep.StopAsync();
            keep.Calls().Count.ShouldBe(2);
        }

        await using var revert = await EngineHarness.CreateAsync(EngineHarness.Conf(), o => o with { RevertOnShutdown = true });
        revert.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        await revert.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"));
        await revert.StopAsync();
        revert.Calls().Count.ShouldBe(3);
        revert.Calls()[2].Text.ShouldContain("\"command\":\"delete\"");
    }

    [Fact]
    public async Task Revoke_by_key_runs_the_delete_now()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        await h.ExecAsync(EngineHarness.Body("firewall-drop600", "192.0.2.1"));

        var outcomes = await h.Engine.RevokeAsync("192.0.2.1", TestContext.Current.CancellationToken);

        outcomes.ShouldHaveSingleItem().RKey.ShouldBe("firewall-drop-192.0.2.1");
        h.Calls().Count.ShouldBe(3);
        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        (await h.Store.QueryAuditAsync(new AuditQuery(Event: "revoke"), TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Same_key_is_ordered_and_different_keys_run_in_parallel()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram.Replace("IFS= read -r line2", "IFS= read -r line2; sleep 0.3", StringComparison.Ordinal));

        var runs = Enumerable.Range(0, 4).Select(i => h.ExecAsync(EngineHarness.Body("firewall-drop600", $"192.0.2.{i % 2}"))).ToList();
        var outcomes = await Task.WhenAll(runs);

        outcomes.Count(o => o.Result == ExecResult.Continued).ShouldBe(2);
        outcomes.Count(o => o.Result == ExecResult.Aborted).ShouldBe(2);
        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(2);
    }

    [Fact]
    public async Task Replayed_decisions_are_applied_once()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        var body = System.Text.Encoding.UTF8.GetBytes(EngineHarness.Body("firewall-drop600", "192.0.2.1"));

        (await h.Engine.ExecuteAsync(new ExecRequest(body, "file", "1.1|firewall-drop600|001"), TestContext.Current.CancellationToken)).Result.ShouldBe(ExecResult.Continued);
        (await h.Engine.ExecuteAsync(new ExecRequest(body, "file", "1.1|firewall-drop600|001"), TestContext.Current.CancellationToken)).Result.ShouldBe(ExecResult.Duplicate);

        h.Calls().Count.ShouldBe(2);
    }
}
