using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Riposte.Programs.Tests;

/// <summary>
/// A real firewalld that only ever sees the test's server namespace: it runs inside that network namespace and in a
/// new mount namespace where <c>/etc/firewalld</c> is a scratch directory (a <c>firewalld.conf</c> written here, zones
/// and services from <c>/usr/lib/firewalld</c>), <c>/run</c> a fresh tmpfs and <c>/sys</c> the namespace's own sysfs
/// (as <c>ip netns exec</c> does), talking over a private D-Bus system bus whose socket is in the scratch directory.
/// The host's firewall, firewalld configuration and system bus are never touched: the daemon's nftables table lives
/// in the namespace and goes with it. The bus has no service directories, so nothing can be bus-activated (no
/// polkitd: firewalld then authorizes by uid, and everything here is root). The default zone is <c>trusted</c>: the
/// listener is reachable until a rich rule drops a source, as on a host whose zone allows the service.
/// The holder shell waits on stdin like the other helpers: when the test (or the test host) goes away, it stops
/// firewalld and the bus; disposal also kills whatever is left, then deletes the scratch directory.
/// </summary>
public sealed class PrivateFirewalld : IAsyncDisposable
{
    /// <summary>Tools the rig needs on the host (firewalld and D-Bus from their Debian packages, util-linux).</summary>
    public static readonly string[] Tools = ["nsenter", "unshare", "dbus-daemon", "firewalld", "firewall-cmd"];

    private const string HolderScript = """
        set -eu
        d=$1
        mount --bind "$d/etc" /etc/firewalld
        mount -t tmpfs -o mode=0755 riposte-run /run
        umount -l /sys
        mount -t sysfs riposte-sys /sys
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$d/bus"
        dbus-daemon --config-file="$d/bus.conf" --nofork --nosyslog >>"$d/daemons.log" 2>&1 &
        bus=$!
        fwd=
        stop() { [ -z "$fwd" ] || kill "$fwd" 2>/dev/null || true; kill "$bus" 2>/dev/null || true; wait || true; }
        trap 'stop; exit 1' HUP INT TERM
        i=0
        until [ -S "$d/bus" ]; do
          i=$((i + 1)); [ $i -le 200 ] || { echo "the private bus did not come up"; stop; exit 1; }
          kill -0 "$bus" 2>/dev/null || { echo "dbus-daemon exited"; stop; exit 1; }
          sleep 0.05
        done
        firewalld --nofork --nopid --log-target console >>"$d/daemons.log" 2>&1 &
        fwd=$!
        echo "pids $bus $fwd"
        i=0
        until firewall-cmd --state >/dev/null 2>&1; do
          i=$((i + 1)); [ $i -le 600 ] || { echo "firewalld did not reach the running state"; stop; exit 1; }
          kill -0 "$fwd" 2>/dev/null || { echo "firewalld exited"; stop; exit 1; }
          sleep 0.05
        done
        echo ready
        cat >/dev/null || true
        stop
        """;

    private readonly string _server;
    private readonly Process _holder;
    private readonly List<int> _daemons = [];
    private ulong? _privateMount;

    private PrivateFirewalld(string directory, string server, Process holder)
    {
        ScratchDirectory = directory;
        _server = server;
        _holder = holder;
    }

    /// <summary>The scratch directory: <c>etc/</c> (the namespace's /etc/firewalld), the bus socket, the daemons' log.</summary>
    public string ScratchDirectory { get; }

    /// <summary>What programs and firewall-cmd must have to reach this firewalld.</summary>
    public string BusAddress => $"unix:path={Path.Combine(ScratchDirectory, "bus")}";

    /// <summary>
    /// Runs a command in the daemon's mount and network namespaces with its bus (prefix for <see cref="ArProgram"/>).
    /// nsenter opens both namespace files before entering either, so <c>/run/netns</c> being hidden by the private
    /// <c>/run</c> does not matter.
    /// </summary>
    public IReadOnlyList<string> Launcher =>
    [
        "nsenter", $"--mount=/proc/{_holder.Id.ToString(CultureInfo.InvariantCulture)}/ns/mnt", $"--net=/run/netns/{_server}", "--",
        "env", $"DBUS_SYSTEM_BUS_ADDRESS={BusAddress}",
    ];

    public string DaemonLog => File.Exists(Path.Combine(ScratchDirectory, "daemons.log")) ? File.ReadAllText(Path.Combine(ScratchDirectory, "daemons.log")) : "";

    public static async Task<PrivateFirewalld> StartAsync(NetnsPair net)
    {
        await Abandoned.SweepOnceAsync();
        var directory = Path.Combine(Abandoned.ScratchRoot, Abandoned.Prefix + "firewalld-" + RandomNumberGenerator.GetHexString(6, lowercase: true));
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        PrivateFirewalld? firewalld = null;
        try
        {
            WriteConfiguration(directory);
            var start = new ProcessStartInfo("nsenter")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            string[] args =
            [
                $"--net=/run/netns/{net.Server}", "--",
                "unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", HolderScript, "sh", directory,
            ];
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            // Not the test host's D-Bus: nothing started here may reach the host's bus, even by default.
            start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = $"unix:path={Path.Combine(directory, "bus")}";
            var holder = Process.Start(start) ?? throw new InvalidOperationException("cannot start nsenter");
            firewalld = new PrivateFirewalld(directory, net.Server, holder);
            await firewalld.WaitUntilReadyAsync();
            return firewalld;
        }
        catch
        {
            if (firewalld is not null)
            {
                await firewalld.DisposeAsync();
            }
            else if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Runs a command (firewall-cmd, nft) next to the daemon.</summary>
    public Task<CmdResult> RunAsync(params string[] argv) => Cmd.RunAsync([.. Launcher, .. argv]);

    public async Task<string> MustAsync(params string[] argv)
    {
        var result = await RunAsync(argv);
        return result.Ok ? result.Stdout : throw new InvalidOperationException($"{result}\nfirewalld and dbus-daemon said:\n{DaemonLog}");
    }

    private static void WriteConfiguration(string directory)
    {
        var etc = Path.Combine(directory, "etc");
        Directory.CreateDirectory(etc);
        // Only the settings that matter here; every other one keeps firewalld's default. CleanupModulesOnExit=no:
        // kernel modules are the host's, never unloaded on the namespace's account.
        File.WriteAllText(Path.Combine(etc, "firewalld.conf"), """
            # Written by the Riposte tests for a firewalld confined to a test network namespace.
            DefaultZone=trusted
            FirewallBackend=nftables
            CleanupOnExit=yes
            CleanupModulesOnExit=no
            Lockdown=no
            IPv6_rpfilter=yes
            IndividualCalls=no
            LogDenied=off
            FlushAllOnReload=yes

            """);
        var bus = Path.Combine(directory, "bus");
        // The system bus type and the default system policy, FirewallD.conf for who may own and call firewalld;
        // no <user> (stays root, so it can use the scratch directory), no pid file, no service directories.
        File.WriteAllText(Path.Combine(directory, "bus.conf"), $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <auth>EXTERNAL</auth>
              <listen>unix:path={System.Security.SecurityElement.Escape(bus)}</listen>
              <policy context="default">
                <allow user="*"/>
                <deny own="*"/>
                <deny send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_requested_reply="true" send_type="method_return"/>
                <allow send_requested_reply="true" send_type="error"/>
                <allow receive_type="method_call"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
                <allow receive_type="signal"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
              </policy>
              <include ignore_missing="yes">/usr/share/dbus-1/system.d/FirewallD.conf</include>
              <include ignore_missing="yes">/etc/dbus-1/system.d/FirewallD.conf</include>
            </busconfig>

            """);
    }

    private async Task WaitUntilReadyAsync()
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        var stderr = _holder.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            string? line;
            while ((line = await _holder.StandardOutput.ReadLineAsync(limit.Token)) is not null && line != "ready")
            {
                if (line.StartsWith("pids ", StringComparison.Ordinal))
                {
                    _daemons.AddRange(line["pids ".Length..].Split(' ').Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
                    await ShouldBeConfinedAsync();
                }
            }

            if (line is null)
            {
                await _holder.WaitForExitAsync(limit.Token);
                throw new InvalidOperationException(
                    $"the private firewalld did not start (holder exited {_holder.ExitCode}): {await stderr}\nfirewalld and dbus-daemon said:\n{DaemonLog}");
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the private firewalld was not running within 60 s\nfirewalld and dbus-daemon said:\n{DaemonLog}");
        }
    }

    /// <summary>
    /// The daemons really are in the server's network namespace and in the private mount namespace, not in the
    /// test host's: checked as soon as they are started, before firewalld has set anything up (its start takes a
    /// while), so a wrong launch is stopped before it could write a rule anywhere.
    /// </summary>
    private async Task ShouldBeConfinedAsync()
    {
        var serverNet = await InodeAsync($"/run/netns/{_server}");
        var hostNet = await NamespaceInodeAsync(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "net");
        _privateMount = await NamespaceInodeAsync(_holder.Id.ToString(CultureInfo.InvariantCulture), "mnt");
        var hostMount = await NamespaceInodeAsync(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "mnt");
        foreach (var pid in _daemons)
        {
            var net = await NamespaceInodeAsync(pid.ToString(CultureInfo.InvariantCulture), "net");
            var mount = await NamespaceInodeAsync(pid.ToString(CultureInfo.InvariantCulture), "mnt");
            if (net != serverNet || net == hostNet || mount != _privateMount || mount == hostMount)
            {
                throw new InvalidOperationException(
                    $"daemon {pid} is not confined: net {net} (server {serverNet}, host {hostNet}), mnt {mount} (private {_privateMount}, host {hostMount})");
            }
        }
    }

    /// <summary>The inode of a process's namespace (<c>/proc/PID/ns/KIND</c>); null when the process is gone.</summary>
    private static async Task<ulong?> NamespaceInodeAsync(string pid, string kind)
    {
        var result = await Cmd.RunAsync(["stat", "-L", "-c", "%i", $"/proc/{pid}/ns/{kind}"], cleanup: true);
        return result.Ok ? ulong.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The inode of a namespace file that is not a link (<c>/run/netns/NAME</c>, a bind mount of nsfs).</summary>
    private static async Task<ulong> InodeAsync(string path)
    {
        var result = await Cmd.RunAsync("stat", "-L", "-c", "%i", path);
        return result.Ok ? ulong.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture) : throw new InvalidOperationException(result.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _holder.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _holder.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            _holder.Kill(entireProcessTree: true);
        }

        // The holder stops both daemons; a holder that was killed first leaves them to us. Only a process still in
        // the private mount namespace is one of them (a pid may have been reused since).
        foreach (var pid in _daemons)
        {
            if (_privateMount is null || await NamespaceInodeAsync(pid.ToString(CultureInfo.InvariantCulture), "mnt") != _privateMount)
            {
                continue;
            }

            try
            {
                using var daemon = Process.GetProcessById(pid);
                daemon.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await daemon.WaitForExitAsync(wait.Token);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                // Gone already (or, after 10 s, left for the namespace's deletion to strand harmlessly).
            }
        }

        _holder.Dispose();
        if (Directory.Exists(ScratchDirectory))
        {
            Directory.Delete(ScratchDirectory, recursive: true);
        }
    }
}
