using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Riposte.Cli.Packaging;

/// <summary>
/// A real <c>riposte serve</c> started the way systemd starts a <c>Type=notify</c> unit: <c>NOTIFY_SOCKET</c> names a
/// unix datagram socket this test binds, and the daemon's READY=1, RELOADING=1 and STOPPING=1 arrive there.
/// </summary>
public sealed class SystemdNotifyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ready_comes_once_the_tail_is_open_then_reloading_ready_on_sighup_and_stopping_on_sigterm()
    {
        using var home = new TestHome();
        var socketPath = Path.Combine(home.Path, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));

        // The socket's queue is filled first, so the daemon's READY=1 blocks in sendto: the daemon stands still exactly
        // where it said READY, and what it had done by then can be looked at before the queue is drained.
        var filled = Fill(socketPath);

        // No --from-start: the first start follows alerts.json from its end, so an alert written before the tail chose
        // its start would be skipped. The alert written right after READY=1 must therefore run.
        var log = new StringBuilder();
        using var daemon = Start(home, socketPath, log, "serve", "--home", home.Path, "--alerts", home.Alerts);
        try
        {
            // "Started" is logged just before READY=1; a daemon that said READY earlier is stuck before it, hence the bound.
            var started = Stopwatch.StartNew();
            while (!Logged(log, "Started") && started.Elapsed < TimeSpan.FromSeconds(10) && !daemon.HasExited)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            await Task.Delay(300, TestContext.Current.CancellationToken);
            var checkpointsAtReady = await CheckpointsAsync(home, "file:" + Path.GetFullPath(home.Alerts));
            for (var i = 0; i < filled; i++)
            {
                (await ReceiveAsync(notify, daemon)).ShouldBe("F");
            }

            var ready = await ReceiveAsync(notify, daemon);
            ready.ShouldStartWith("READY=1\n");
            ready.ShouldContain($"MAINPID={daemon.Id}");
            ready.ShouldContain("STATUS=Running; 1 active responses configured");
            // What READY=1 promises, checked at once: the tail's start position is chosen and saved, so nothing written
            // from now on can fall before it.
            checkpointsAtReady.ShouldBe(1, "READY=1 came before the alerts file's start was saved");

            home.AppendAlert("198.51.100.7", "1.1");
            await TestHome.WaitForAsync(() => home.Events().Contains("add 198.51.100.7"), "the alert written right after READY=1 to be handled");

            Signal(daemon, "HUP");
            var reloading = await ReceiveAsync(notify, daemon);
            reloading.ShouldStartWith("RELOADING=1\n");
            reloading.ShouldMatch(@"MONOTONIC_USEC=\d+");
            (await ReceiveAsync(notify, daemon)).ShouldStartWith("READY=1\n");

            Signal(daemon, "TERM");
            (await ReceiveAsync(notify, daemon)).ShouldStartWith("STOPPING=1\n");
            using var exit = new CancellationTokenSource(Wait);
            await daemon.WaitForExitAsync(exit.Token);
            daemon.ExitCode.ShouldBe(0);
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Without_notify_socket_serve_runs_as_before_and_logs_without_colours_when_redirected()
    {
        using var home = new TestHome();
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Started"), "the daemon to start");
        home.AppendAlert("198.51.100.8", "1.2");
        await TestHome.WaitForAsync(() => home.Events().Contains("add 198.51.100.8"), "the alert to be handled");
        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
        daemon.Log.ShouldNotContain("\u001b[", customMessage: "stderr is a pipe here: no ANSI colour codes");
        daemon.Log.ShouldNotContain("<6>", customMessage: "not the journal's format outside systemd");
    }

    [Fact]
    public async Task Under_the_journal_the_log_has_syslog_priorities_and_no_timestamps_or_colours()
    {
        Assert.SkipWhen(!PackageBuild.OnPath("python3"), "python3 is not installed (it gives the daemon a socket as stderr, as journald does)");
        using var home = new TestHome();
        // As systemd does for StandardError=journal: stderr is a stream socket and JOURNAL_STREAM is its device:inode.
        const string journal = """
            import os, socket, subprocess, sys, time
            a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            st = os.fstat(b.fileno())
            env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
            p = subprocess.Popen(sys.argv[1:], stderr=b.fileno(), stdout=subprocess.DEVNULL, env=env)
            b.close()
            a.settimeout(30)
            data, deadline = b"", time.time() + 30
            while b"Started" not in data and time.time() < deadline:
                chunk = a.recv(4096)
                if not chunk:
                    break
                data += chunk
            p.terminate()
            p.wait(30)
            sys.stdout.write(data.decode())
            """;

        var run = await PackageBuild.RunAsync("python3", ["-c", journal, "dotnet", Path.Combine(AppContext.BaseDirectory, "riposte.dll"), "serve",
            "--home", home.Path, "--alerts", home.Alerts], TimeSpan.FromSeconds(60));

        run.ExitCode.ShouldBe(0, run.Output);
        run.Output.ShouldContain("<6>Riposte.Serve[0] Started (pid: ");
        run.Output.ShouldNotContain("\u001b[");
        run.Output.ShouldNotMatch(@"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}", "journald stamps each line itself");
    }

    private static async Task<long> CheckpointsAsync(TestHome home, string source)
    {
        await using var db = new Microsoft.Data.Sqlite.SqliteConnection(
            $"Data Source={Path.Combine(home.Path, "riposte", "state.db")};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync(TestContext.Current.CancellationToken);
        await using var query = db.CreateCommand();
        query.CommandText = "SELECT count(*) FROM checkpoints WHERE source = $source";
        query.Parameters.AddWithValue("$source", source);
        return (long)(await query.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Sends one-byte datagrams to <paramref name="path"/> until its queue is full; returns how many.</summary>
    private static int Fill(string path)
    {
        using var filler = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
        var endpoint = new UnixDomainSocketEndPoint(path);
        for (var sent = 0; ; sent++)
        {
            try
            {
                filler.SendTo("F"u8, SocketFlags.None, endpoint);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return sent;
            }
        }
    }

    private static bool Logged(StringBuilder log, string text)
    {
        lock (log)
        {
            return log.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    private static Process Start(TestHome home, string notifySocket, StringBuilder log, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = home.Path,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "riposte.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NOTIFY_SOCKET"] = notifySocket;
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;

        void Append(string? line)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, Process daemon)
    {
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Wait);
        try
        {
            var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no notification within {Wait} (daemon exited: {daemon.HasExited})");
        }
    }

    private static void Signal(Process process, string name)
    {
        using var kill = Process.Start("kill", ["-" + name, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }
}
