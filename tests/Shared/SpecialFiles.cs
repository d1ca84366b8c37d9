using System.Runtime.InteropServices;
using System.Text;

namespace Riposte;

/// <summary>Non-regular files (FIFOs) for the tests that check configuration readers refuse them without blocking.</summary>
internal static class SpecialFiles
{
    /// <summary>Creates a FIFO at <paramref name="path"/> (mode 0600).</summary>
    public static void MakeFifo(string path)
    {
        if (MkFifo(Encoding.UTF8.GetBytes(path + "\0"), 0x180) != 0)
        {
            throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> (which may block on opening <paramref name="fifo"/>) with a hang guard: if it does
    /// not finish in time, a writer opens and closes the FIFO so the blocked reader sees end of file and the thread
    /// is released, and the test fails.
    /// </summary>
    public static async Task<T> ReadWithHangGuardAsync<T>(string fifo, Func<T> read)
    {
        var task = Task.Run(read, TestContext.Current.CancellationToken);
        var finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        if (finished != task)
        {
            // Opening the write end unblocks a reader stuck in open(2); closing it gives that reader end of file.
            using (File.OpenHandle(fifo, FileMode.Open, FileAccess.Write))
            {
            }

            await task;
            Assert.Fail($"reading {fifo} blocked (no writer on the FIFO)");
        }

        return await task;
    }

    [DllImport("libc.so.6", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo([In] byte[] path, uint mode);
}
