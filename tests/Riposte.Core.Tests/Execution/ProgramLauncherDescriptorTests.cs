using System.Runtime.InteropServices;

namespace Riposte.Execution;

/// <summary>
/// A program gets exactly descriptors 0, 1 and 2, even when this process holds one without close-on-exec. The tests
/// create such a descriptor on purpose, so they run in the non-parallel collection: a program spawned by a parallel
/// test through <see cref="System.Diagnostics.Process"/> (which closes nothing) would inherit it.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class ProgramLauncherDescriptorTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    public static TheoryData<bool> CloseFrom => [true, false];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(CloseFrom))]
    public async Task Program_receives_exactly_the_standard_streams_even_beside_an_inheritable_descriptor(bool useCloseFrom)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "posix_spawn launcher is Linux-only");
        Assert.SkipWhen(useCloseFrom && !LibC.HasAddCloseFrom, "this libc has no posix_spawn_file_actions_addclosefrom_np");
        var launcher = new ProgramLauncher { UseCloseFrom = useCloseFrom };
        // cat with no arguments reads stdin. Once it is blocked in read(0) it is past its start-up (which briefly opens
        // locale files), so the table read from here then is exactly what it received.
        var invocation = _home.Symlink("cat", "/bin/cat");
        var inheritable = new int[2];
        Pipe(inheritable).ShouldBe(0);
        try
        {
            Processes.InheritableDescriptors().ShouldContain(inheritable[0]);
            foreach (var options in new[] { LaunchOptions.AddRun, LaunchOptions.DeleteRun })
            {
                using var program = launcher.Launch(invocation, options);
                await WaitUntilReadingStdinAsync(program.ProcessId);

                var entries = Directory.GetFileSystemEntries($"/proc/{program.ProcessId}/fd");
                var fds = entries.Select(e => int.Parse(Path.GetFileName(e))).Order().ToArray();
                var described = string.Join(", ", entries.Select(e => $"{Path.GetFileName(e)} -> {new FileInfo(e).LinkTarget}"));
                program.StandardInput.Dispose();
                (await program.Exited).ExitCode.ShouldBe(0);

                fds.ShouldBe([0, 1, 2], described);
            }
        }
        finally
        {
            _ = Close(inheritable[0]);
            _ = Close(inheritable[1]);
        }
    }

    /// <summary>Waits until <paramref name="pid"/> sits in read(0, ...), per /proc/PID/syscall (number, then arguments).</summary>
    private static async Task WaitUntilReadingStdinAsync(int pid)
    {
        var read = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "63" : "0";
        for (var i = 0; i < 1000; i++)
        {
            var fields = File.ReadAllText($"/proc/{pid}/syscall").Split(' ');
            if (fields.Length > 1 && fields[0] == read && fields[1] == "0x0")
            {
                return;
            }

            await Task.Delay(10, Ct);
        }

        throw new TimeoutException($"process {pid} never blocked reading stdin");
    }

    // A plain pipe(2): both ends without O_CLOEXEC, as a descriptor inherited from Riposte's own parent would be.
    [DllImport("libc.so.6", EntryPoint = "pipe", SetLastError = true)]
    private static extern int Pipe([Out] int[] fds);

    [DllImport("libc.so.6", EntryPoint = "close")]
    private static extern int Close(int fd);
}
