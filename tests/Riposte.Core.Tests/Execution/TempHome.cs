using System.Text;

namespace Riposte.Execution;

/// <summary>A throw-away Wazuh home with an <c>active-response/bin</c> directory for test programs.</summary>
internal sealed class TempHome : IDisposable
{
    public TempHome()
    {
        Root = Directory.CreateTempSubdirectory("riposte-exec-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Root, "active-response", "bin"));
    }

    public string Root { get; }

    /// <summary>Writes an executable (0755) program under active-response/bin and returns its invocation.</summary>
    public ProgramInvocation Script(string name, string text, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        var relative = $"active-response/bin/{name}";
        var path = System.IO.Path.Combine(Root, relative);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"), new UTF8Encoding(false));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return new ProgramInvocation(Root, relative);
    }

    public ProgramInvocation Symlink(string name, string target)
    {
        var relative = $"active-response/bin/{name}";
        File.CreateSymbolicLink(System.IO.Path.Combine(Root, relative), target);
        return new ProgramInvocation(Root, relative);
    }

    public string Path(string name) => System.IO.Path.Combine(Root, name);

    public bool Exists(string name) => File.Exists(Path(name));

    public string Read(string name) => File.ReadAllText(Path(name));

    public byte[] ReadBytes(string name) => File.ReadAllBytes(Path(name));

    /// <summary>Waits (up to 5 s) for a file a program writes; programs run asynchronously to the test.</summary>
    public async Task<string> WaitForAsync(string name)
    {
        for (var i = 0; i < 500 && !File.Exists(Path(name)); i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        // Written by "echo ... > file": give the writer a moment to finish.
        for (var i = 0; i < 100 && new FileInfo(Path(name)).Length == 0; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return Read(name);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Process checks through /proc.</summary>
internal static class Processes
{
    /// <summary>True once <paramref name="pid"/> no longer runs (gone, or a zombie awaiting its reaper).</summary>
    public static bool IsDead(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>True when <paramref name="pid"/> has been reaped (not even a zombie is left).</summary>
    public static bool IsGone(int pid) => !Directory.Exists($"/proc/{pid}");

    public static async Task<bool> WaitDeadAsync(int pid)
    {
        for (var i = 0; i < 200; i++)
        {
            if (IsDead(pid))
            {
                return true;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return false;
    }

    /// <summary>This process's descriptors without O_CLOEXEC (e.g. inherited from the test runner's parent).</summary>
    public static List<int> InheritableDescriptors()
    {
        var result = new List<int>();
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fdinfo"))
        {
            try
            {
                var flags = File.ReadLines(entry).First(l => l.StartsWith("flags:", StringComparison.Ordinal))[6..].Trim();
                if ((Convert.ToInt32(flags, 8) & 0x80000) == 0)
                {
                    result.Add(int.Parse(System.IO.Path.GetFileName(entry)));
                }
            }
            catch (IOException)
            {
                // Closed while we looked (the directory enumeration's own descriptor, another test's pipe).
            }
        }

        return result;
    }

    public static int OpenDescriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Length;
}
