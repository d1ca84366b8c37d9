using Riposte.Sdk;
using Riposte.Support;

namespace Riposte;

public sealed class ExternalToolTests
{
    private static ExternalTool Shell => ExternalTool.Find("sh", "/bin:/usr/bin").ShouldNotBeNull();

    [Fact]
    public void Finds_executables_in_the_search_path_only()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("a"));
        Directory.CreateDirectory(dir.Combine("b"));
        File.WriteAllText(dir.Combine("a", "tool"), "not executable");
        File.WriteAllText(dir.Combine("b", "tool"), "#!/bin/sh\n");
        File.SetUnixFileMode(dir.Combine("b", "tool"), UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var tool = ExternalTool.Find("tool", $"{dir.Combine("a")}:relative:{dir.Combine("b")}").ShouldNotBeNull();
        tool.Path.ShouldBe(dir.Combine("b", "tool"));
        tool.Name.ShouldBe("tool");
        ExternalTool.Find("tool", dir.Combine("a")).ShouldBeNull();
        ExternalTool.Find("missing", dir.Path).ShouldBeNull();
    }

    [Fact]
    public void Relative_search_path_entries_are_ignored()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("tool"), "#!/bin/sh\n");
        File.SetUnixFileMode(dir.Combine("tool"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var previous = Environment.CurrentDirectory;
        ExternalTool.Find("tool", ".:").ShouldBeNull();
        Environment.CurrentDirectory.ShouldBe(previous);
    }

    [Fact]
    public void Missing_message_is_Wazuh_text()
    {
        ExternalTool.MissingMessage("iptables").ShouldBe("The iptables file 'iptables' is not accessible: No such file or directory (2)");
        ExternalTool.MissingMessage("ip6tables", "iptables").ShouldBe("The iptables file 'ip6tables' is not accessible: No such file or directory (2)");
    }

    [Fact]
    public async Task Arguments_are_a_vector_never_shell_syntax()
    {
        var result = await Shell.RunAsync(["-c", "printf '%s|' \"$@\"", "sh", "a b", "$(id)", ";rm -rf /", "`x`", ""], cancellationToken: TestContext.Current.CancellationToken);
        result.Succeeded.ShouldBeTrue();
        result.StandardOutput.ShouldBe("a b|$(id)|;rm -rf /|`x`||");
    }

    [Fact]
    public async Task Exit_status_stdout_stderr_and_stdin_are_captured()
    {
        var result = await Shell.RunAsync(["-c", "cat; printf err >&2; exit 3"], "input text", cancellationToken: TestContext.Current.CancellationToken);
        result.Started.ShouldBeTrue();
        result.ExitCode.ShouldBe(3);
        result.Succeeded.ShouldBeFalse();
        result.StandardOutput.ShouldBe("input text");
        result.StandardError.ShouldBe("err");
        result.Describe().ShouldBe("sh -c 'cat; printf err >&2; exit 3': exit status 3 (err)");
    }

    [Fact]
    public async Task Tools_get_an_empty_stdin_and_the_C_locale()
    {
        var result = await Shell.RunAsync(["-c", "cat; printf '%s' \"$LC_ALL\""], cancellationToken: TestContext.Current.CancellationToken);
        result.StandardOutput.ShouldBe("C");
    }

    [Fact]
    public async Task A_tool_over_its_time_limit_is_killed()
    {
        var started = DateTime.UtcNow;
        var result = await Shell.RunAsync(["-c", "sleep 20"], timeout: TimeSpan.FromMilliseconds(300), cancellationToken: TestContext.Current.CancellationToken);
        result.TimedOut.ShouldBeTrue();
        result.Succeeded.ShouldBeFalse();
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }
}
