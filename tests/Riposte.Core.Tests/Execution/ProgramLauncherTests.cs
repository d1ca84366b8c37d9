using System.Text;

namespace Riposte.Execution;

public sealed class ProgramLauncherTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly ProgramLauncher _launcher = new();

    public void Dispose() => _home.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    [Fact]
    public async Task Script_sees_the_relative_path_as_argv0_no_arguments_and_home_as_cwd()
    {
        var invocation = _home.Script("whoami", """
            #!/bin/bash
            printf '%s' "$0" > argv0
            printf '%s' "$#" > argc
            pwd -P > cwd
            """);

        using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);
        (await program.Exited).ShouldBe(new ProgramExit(0, null));

        _home.Read("argv0").ShouldBe("active-response/bin/whoami");
        _home.Read("argc").ShouldBe("0");
        _home.Read("cwd").TrimEnd('\n').ShouldBe(new DirectoryInfo(_home.Root).ResolveLinkTarget(true)?.FullName ?? _home.Root);
    }

    [Fact]
    public async Task Binary_gets_the_relative_path_as_its_literal_argv0()
    {
        // bash with no arguments reads its commands from stdin, so a link to it is a binary program we can script.
        var invocation = _home.Symlink("shell-binary", "/bin/bash");

        using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);
        await program.StandardInput.WriteAsync("printf '%s' \"$0\" > argv0; tr '\\0' ' ' < /proc/$$/cmdline > cmdline\n"u8.ToArray(), Ct);
        program.StandardInput.Dispose();
        (await program.Exited).ExitCode.ShouldBe(0);

        _home.Read("argv0").ShouldBe("active-response/bin/shell-binary");
        _home.Read("cmdline").ShouldBe("active-response/bin/shell-binary ");
    }

    [Fact]
    public async Task Environment_is_inherited()
    {
        var name = $"RIPOSTE_EXEC_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, "inherited value");
        try
        {
            var invocation = _home.Script("env", $"""
                #!/bin/bash
                printf '%s' "${name}" > env
                printf '%s' "$PATH" > path
                """);

            using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);
            await program.Exited;

            _home.Read("env").ShouldBe("inherited value");
            _home.Read("path").ShouldBe(Environment.GetEnvironmentVariable("PATH"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task Program_leads_its_own_session_and_process_group()
    {
        var invocation = _home.Script("session", """
            #!/bin/bash
            ps -o sid=,pgid= -p $$ > ids
            """);

        using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);
        await program.Exited;

        var ids = _home.Read("ids").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ids.ShouldBe([program.ProcessId.ToString(), program.ProcessId.ToString()]);
    }

    [Fact]
    public async Task Program_starts_with_default_signal_dispositions_and_an_empty_mask()
    {
        // exec: grep itself reports what it inherited (the runtime ignores SIGPIPE; an ignored signal survives exec).
        var invocation = _home.Script("signals", """
            #!/bin/bash
            exec grep -E '^Sig(Ign|Blk):' /proc/self/status > signals
            """);

        using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);
        await program.Exited;

        _home.Read("signals").ShouldBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
    }

    [Fact]
    public async Task Standard_streams_are_the_pipes_or_dev_null_as_requested()
    {
        var invocation = _home.Script("fds", """
            #!/bin/bash
            printf '%s\n' "$(readlink /proc/$$/fd/0)" "$(readlink /proc/$$/fd/1)" "$(readlink /proc/$$/fd/2)" > links
            exec ls /proc/self/fd > fds
            """);

        using (var program = _launcher.Launch(invocation, LaunchOptions.DeleteRun))
        {
            program.StandardOutput.ShouldBeNull();
            program.StandardError.ShouldNotBeNull();
            await program.Exited;
        }

        var links = _home.Read("links").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        links[0].ShouldStartWith("pipe:");
        links[1].ShouldBe("/dev/null");
        links[2].ShouldStartWith("pipe:");
        // 0, 1 (redirected to the file), 2 and ls's own directory descriptor: nothing else reaches a program, neither
        // our pipe ends nor what this process holds without close-on-exec (see ProgramLauncherDescriptorTests).
        _home.Read("fds").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order().ShouldBe([0, 1, 2, 3]);
    }

    [Fact]
    public async Task Pipes_carry_stdin_stdout_and_stderr()
    {
        var invocation = _home.Script("echo", """
            #!/bin/bash
            IFS= read -r line
            printf 'out:%s\n' "$line"
            printf 'err:%s\n' "$line" >&2
            """);

        using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);
        await program.StandardInput.WriteAsync("hello\n"u8.ToArray(), Ct);

        (await ReadAllAsync(program.StandardOutput!)).ShouldBe("out:hello\n");
        (await ReadAllAsync(program.StandardError!)).ShouldBe("err:hello\n");
        (await program.Exited).ExitCode.ShouldBe(0);
    }

    [Fact]
    public void Missing_program_fails_with_enoent()
    {
        var ex = Should.Throw<ProgramLaunchException>(() => _launcher.Launch(new ProgramInvocation(_home.Root, "active-response/bin/nope"), LaunchOptions.AddRun));

        ex.ErrorNumber.ShouldBe(2);
        ex.Reason.ShouldBe("No such file or directory");
        ex.Message.ShouldBe("(1317): Could not launch command No such file or directory (2)");
        ex.RelativePath.ShouldBe("active-response/bin/nope");
    }

    [Fact]
    public void Non_executable_program_fails_with_eacces()
    {
        var invocation = _home.Script("plain", "#!/bin/bash\nexit 0\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var ex = Should.Throw<ProgramLaunchException>(() => _launcher.Launch(invocation, LaunchOptions.AddRun));

        ex.ErrorNumber.ShouldBe(13);
        ex.Message.ShouldBe("(1317): Could not launch command Permission denied (13)");
    }

    [Fact]
    public async Task Script_without_interpreter_line_runs_through_bin_sh_as_execvp_does()
    {
        var invocation = _home.Script("no-shebang", """
            printf '%s' "$0" > argv0
            exit 4
            """);

        using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);

        (await program.Exited).ExitCode.ShouldBe(4);
        _home.Read("argv0").ShouldBe("active-response/bin/no-shebang");
    }

    [Fact]
    public async Task Exit_codes_and_signals_are_reported()
    {
        var exits = _home.Script("exits", "#!/bin/bash\nexit 255\n");
        var killed = _home.Script("killed", "#!/bin/bash\nkill -TERM $$\nsleep 5\n");

        using var first = _launcher.Launch(exits, LaunchOptions.AddRun);
        using var second = _launcher.Launch(killed, LaunchOptions.AddRun);

        (await first.Exited).ShouldBe(new ProgramExit(255, null));
        (await second.Exited).ShouldBe(new ProgramExit(null, 15));
    }

    [Fact]
    public async Task Kill_takes_the_whole_process_group()
    {
        var invocation = _home.Script("tree", """
            #!/bin/bash
            sleep 1000 &
            echo $! > child.pid
            sleep 1000
            """);

        using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);
        var child = int.Parse(await _home.WaitForAsync("child.pid"));

        program.Kill().ShouldBeTrue();

        (await program.Exited).Signal.ShouldBe(9);
        (await Processes.WaitDeadAsync(child)).ShouldBeTrue();
        program.Dispose();
        program.Kill().ShouldBeFalse();
        Processes.IsDead(program.ProcessId).ShouldBeTrue();
    }

    [Fact]
    public async Task Exit_is_collected_by_a_waiting_thread_when_pidfds_are_not_used()
    {
        var launcher = new ProgramLauncher { UsePidFd = false };
        var invocation = _home.Script("slow-exit", "#!/bin/bash\nsleep 0.2\nexit 3\n");

        using var program = launcher.Launch(invocation, LaunchOptions.AddRun);

        (await program.Exited).ShouldBe(new ProgramExit(3, null));
        program.Dispose();
        (await Processes.WaitDeadAsync(program.ProcessId)).ShouldBeTrue();
        File.Exists($"/proc/{program.ProcessId}/stat").ShouldBeFalse();
    }

    [Fact]
    public async Task Output_pipe_reaches_eof_even_when_the_program_is_still_running_elsewhere_closed()
    {
        // The parent must hold no copy of the child's pipe ends, or EOF would never come.
        var invocation = _home.Script("closer", """
            #!/bin/bash
            echo bye
            exec 1>&- 2>&-
            IFS= read -r line
            """);

        using var program = _launcher.Launch(invocation, LaunchOptions.AddRun);

        (await ReadAllAsync(program.StandardOutput!)).ShouldBe("bye\n");
        (await ReadAllAsync(program.StandardError!)).ShouldBe(string.Empty);
        program.StandardInput.Dispose();
        (await program.Exited).ExitCode.ShouldBe(1);
    }
}
