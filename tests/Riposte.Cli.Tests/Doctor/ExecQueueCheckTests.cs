using System.Net.Sockets;

namespace Riposte.Cli.Doctor;

public sealed class ExecQueueCheckTests
{
    private static string QueuePath(DoctorHome home)
    {
        var queue = Path.Combine(home.Path, "queue", "alerts");
        Directory.CreateDirectory(queue);
        return Path.Combine(queue, "execq");
    }

    [Fact]
    public async Task An_exec_queue_held_by_another_process_fails_and_names_it()
    {
        using var home = new DoctorHome();
        var path = QueuePath(home);
        // What wazuh-execd does at start: bind the datagram socket. This test process plays its part.
        using var execd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        execd.Bind(new UnixDomainSocketEndPoint(path));

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var queue = report.One("execq", "queue/alerts/execq");
        queue.GetProperty("status").GetString().ShouldBe("fail", queue.ToString());
        queue.GetProperty("message").GetString()!.ShouldContain($"(pid {Environment.ProcessId})");
        queue.GetProperty("fix").GetString()!.ShouldContain($"kill {Environment.ProcessId}");
        // The probe sent nothing: a datagram there would be a command for execd.
        execd.Available.ShouldBe(0);
    }

    [Fact]
    public async Task A_leftover_socket_nobody_is_bound_to_passes()
    {
        using var home = new DoctorHome();
        var path = QueuePath(home);
        // A process that died without removing its socket. .NET unlinks the path it bound when the socket is closed, so
        // the socket file is moved away from that path first.
        using (var gone = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            gone.Bind(new UnixDomainSocketEndPoint(path + ".bound"));
            File.Move(path + ".bound", path);
        }

        File.Exists(path).ShouldBeTrue();
        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(0, report.Text);
        report.One("execq", "queue/alerts/execq").GetProperty("message").GetString()!.ShouldContain("leftover socket nobody is bound to");
    }

    [Fact]
    public async Task A_file_that_is_not_a_socket_fails()
    {
        using var home = new DoctorHome();
        var path = QueuePath(home);
        await File.WriteAllTextAsync(path, "", TestContext.Current.CancellationToken);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        report.One("execq", "queue/alerts/execq").GetProperty("message").GetString()!.ShouldContain("is not a socket");
    }

    [Fact]
    public async Task The_queue_bound_by_riposte_serve_passes()
    {
        using var home = new DoctorHome();
        var path = QueuePath(home);
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--execq");
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Started", StringComparison.Ordinal), "start");

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(0, report.Text);
        report.One("execq", "queue/alerts/execq").GetProperty("message").GetString().ShouldBe($"{path} is bound by Riposte: dotnet (pid {daemon.Pid})");
        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
    }
}
