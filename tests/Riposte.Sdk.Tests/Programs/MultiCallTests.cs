using System.Diagnostics;
using Riposte.Support;

namespace Riposte.Programs;

/// <summary>riposte-ar picks its program from the name it runs under, or from RIPOSTE_PROGRAM under its own name.</summary>
public sealed class MultiCallTests
{
    [Fact]
    public async Task RIPOSTE_PROGRAM_selects_a_program_and_the_log_names_it()
    {
        using var home = new ArHome();
        home.FakeTool("ip");

        var result = await home.RunAsync("route-null", Messages.WithSrcIp("delete", "203.0.113.45") + "\n", multiCall: true);

        result.ExitCode.ShouldBe(0);
        home.CallLines.ShouldBe(["ip -4 route del blackhole 203.0.113.45/32"]);
        var expectedArgv0 = Path.Combine(Path.GetDirectoryName(ArHome.Executable)!, "route-null");
        home.Log.ShouldStartWith(string.Empty);
        home.Log.Split('\n')[0].ShouldEndWith($" {expectedArgv0}: Starting");
    }

    [Fact]
    public async Task List_prints_every_program()
    {
        var (exit, stdout, _) = await RunAsync(["--list"], null);
        exit.ShouldBe(0);
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(
            ["firewall-drop", "nft-drop", "ipset-drop", "host-deny", "route-null", "disable-account", "firewalld-drop", "restart-service", "webhook"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("no-such-program")]
    public async Task Without_a_known_program_it_prints_usage(string? program)
    {
        var (exit, stdout, stderr) = await RunAsync([], program);
        exit.ShouldBe(1);
        stdout.ShouldBeEmpty();
        stderr.ShouldContain("RIPOSTE_PROGRAM");
    }

    [Fact]
    public async Task An_unknown_installed_name_prints_usage()
    {
        using var home = new ArHome();
        var result = await home.RunAsync("not-a-program", string.Empty);
        result.ExitCode.ShouldBe(1);
        home.Log.ShouldBeEmpty();
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string[] args, string? program)
    {
        var start = new ProcessStartInfo(ArHome.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("RIPOSTE_PROGRAM");
        if (program is not null)
        {
            start.Environment["RIPOSTE_PROGRAM"] = program;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var ct = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout, await stderr);
    }
}
