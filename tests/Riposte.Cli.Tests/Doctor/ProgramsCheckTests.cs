namespace Riposte.Cli.Doctor;

public sealed class ProgramsCheckTests
{
    [Fact]
    public async Task A_missing_program_fails_with_how_to_install_it()
    {
        using var home = new DoctorHome();
        home.Home.WriteConfig(600, """
            <command><name>my-block</name><executable>my-block.sh</executable><timeout_allowed>yes</timeout_allowed></command>
            <active-response><command>my-block</command><location>local</location><rules_id>5712</rules_id><timeout>60</timeout></active-response>
            """);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var missing = report.One("programs", "my-block60 (active-response/bin/my-block.sh)");
        missing.GetProperty("status").GetString().ShouldBe("fail");
        missing.GetProperty("message").GetString().ShouldBe($"{home.Bin}/my-block.sh is missing: execd skips this response silently");
        missing.GetProperty("fix").GetString().ShouldBe($"install my-block.sh there (e.g. `install -m 0750 ./my-block.sh {home.Bin}/my-block.sh`)");
        report.One("programs", "firewall-drop600 (active-response/bin/firewall-drop)").GetProperty("status").GetString().ShouldBe("pass");
    }

    [Fact]
    public async Task A_program_without_an_execute_bit_fails_even_for_root()
    {
        using var home = new DoctorHome();
        var program = Path.Combine(home.Bin, "firewall-drop");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var result = await home.RunAsync();

        result.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        result.Out.ShouldContain($"✘ firewall-drop600 (active-response/bin/firewall-drop): {program} is not executable (no execute bit): every run fails");
        result.Out.ShouldContain($"fix: chmod 0750 {program}");
    }

    [Fact]
    public async Task A_world_writable_program_fails()
    {
        using var home = new DoctorHome();
        var program = Path.Combine(home.Bin, "firewall-drop");
        File.SetUnixFileMode(program, (UnixFileMode)0b111_111_111);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var result = report.One("programs", "firewall-drop600 (active-response/bin/firewall-drop)");
        result.GetProperty("status").GetString().ShouldBe("fail");
        result.GetProperty("fix").GetString().ShouldBe($"chmod o-w {program}");
    }

    [Fact]
    public async Task Deep_runs_each_program_through_script_test()
    {
        using var home = new DoctorHome();
        // Prints nothing: execd would never learn its keys, so the block would never be undone.
        home.Home.WriteProgram("firewall-drop", "#!/bin/sh\nIFS= read -r line\nexit 0");

        var shallow = await home.RunJsonAsync();
        var (exit, report) = await home.RunJsonAsync("--deep");

        shallow.Exit.ShouldBe(0, shallow.Report.Text);
        exit.ShouldBe(ExitCodes.InvalidInput);
        var result = report.One("programs", "firewall-drop600 (active-response/bin/firewall-drop)");
        result.GetProperty("status").GetString().ShouldBe("fail");
        result.GetProperty("message").GetString().ShouldBe("executable, but script-test finds 1 protocol error");
        result.GetProperty("details").EnumerateArray().Select(d => d.GetString()).ShouldContain(d => d!.StartsWith("error (no-control-line): ", StringComparison.Ordinal));
        result.GetProperty("fix").GetString()!.ShouldContain($"riposte script-test {home.Bin}/firewall-drop");
    }

    [Fact]
    public async Task Deep_passes_a_program_that_speaks_the_protocol()
    {
        using var home = new DoctorHome();

        var (exit, report) = await home.RunJsonAsync("--deep");

        exit.ShouldBe(0, report.Text);
        report.One("programs", "firewall-drop600 (active-response/bin/firewall-drop)").GetProperty("message").GetString()!
            .ShouldStartWith("executable and conforms to execd's protocol");
        // script-test ran it in a temporary home: nothing happened in the real one.
        home.Home.Events().ShouldBeEmpty();
    }
}
