using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Riposte.Programs.Tests;

/// <summary>
/// A mount namespace in which <c>/etc</c> is a scratch copy of the host's. Accounts created there, passwords
/// locked there and a <c>hosts.deny</c> written there never reach the host, even when a program under test is
/// wrong (locks root, ignores <c>RIPOSTE_HOSTS_DENY</c>); the tools (useradd, passwd) and the programs work on the
/// copy exactly as on a real <c>/etc</c>. Ending the holder process ends the namespace; the copy is then deleted.
/// </summary>
public sealed class PrivateEtc : IAsyncDisposable
{
    private readonly Process _holder;

    private PrivateEtc(string copy, Process holder)
    {
        EtcCopy = copy;
        _holder = holder;
    }

    /// <summary>The copy seen from the host: what the namespace sees as <c>/etc</c>.</summary>
    public string EtcCopy { get; }

    /// <summary>Runs a command inside the namespace (prefix for <see cref="ArProgram"/>).</summary>
    public IReadOnlyList<string> Launcher => ["nsenter", "-t", _holder.Id.ToString(CultureInfo.InvariantCulture), "-m", "--"];

    public static async Task<PrivateEtc> CreateAsync()
    {
        await Abandoned.SweepOnceAsync();
        // In memory where possible: creating /etc's thousand-odd files on a VM's disk takes over a second per test.
        var copy = Path.Combine(Abandoned.ScratchRoot, Abandoned.Prefix + "etc-" + RandomNumberGenerator.GetHexString(6, lowercase: true));
        Directory.CreateDirectory(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await Cmd.MustAsync("cp", "-a", "/etc/.", copy);
            var start = new ProcessStartInfo("unshare")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // The holder waits on stdin: when the test (or the whole test host) goes away, it exits with the namespace.
            foreach (var arg in new[] { "--mount", "--propagation", "private", "sh", "-c", "mount --bind \"$1\" /etc && echo ready && exec cat >/dev/null", "sh", copy })
            {
                start.ArgumentList.Add(arg);
            }

            var holder = Process.Start(start) ?? throw new InvalidOperationException("cannot start unshare");
            var etc = new PrivateEtc(copy, holder);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(15));
            if (await holder.StandardOutput.ReadLineAsync(limit.Token) != "ready")
            {
                var error = await holder.StandardError.ReadToEndAsync(limit.Token);
                await etc.DisposeAsync();
                throw new InvalidOperationException($"cannot make a private /etc: {error}");
            }

            return etc;
        }
        catch
        {
            if (Directory.Exists(copy))
            {
                Directory.Delete(copy, recursive: true);
            }

            throw;
        }
    }

    public Task<CmdResult> RunAsync(params string[] argv) => Cmd.RunAsync([.. Launcher, .. argv]);

    public async Task<string> MustAsync(params string[] argv)
    {
        var result = await RunAsync(argv);
        return result.Ok ? result.Stdout : throw new InvalidOperationException(result.ToString());
    }

    /// <summary>
    /// A throw-away account (<c>riposte-tXXXXXX</c>, no home, nologin) with a real password hash, so
    /// <c>passwd -S</c> starts at <c>P</c>; useradd alone leaves <c>!</c>, which already reads as locked.
    /// </summary>
    public async Task<string> CreateUserAsync(params string[] useraddOptions)
    {
        var name = "riposte-t" + RandomNumberGenerator.GetHexString(6, lowercase: true);
        await MustAsync(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", .. useraddOptions, name]);
        var set = await Cmd.RunAsync([.. Launcher, "chpasswd"], $"{name}:{RandomNumberGenerator.GetHexString(24)}\n");
        return set.Ok ? name : throw new InvalidOperationException(set.ToString());
    }

    /// <summary>The status letter of <c>passwd -S</c>: <c>P</c> usable, <c>L</c> locked, <c>NP</c> no password.</summary>
    public async Task<string> PasswordStatusAsync(string user) =>
        (await MustAsync("passwd", "-S", user)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

    public async ValueTask DisposeAsync()
    {
        try
        {
            _holder.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await _holder.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            _holder.Kill(entireProcessTree: true);
        }

        _holder.Dispose();
        if (Directory.Exists(EtcCopy))
        {
            Directory.Delete(EtcCopy, recursive: true);
        }
    }
}
