namespace Riposte.Programs.Tests;

/// <summary>
/// Removes what a killed test host left behind. Disposal undoes everything a test creates, but not after SIGKILL
/// (a CI time-out, a developer's Ctrl-C on a hung run): named namespaces persist and temp directories stay. Every
/// such name carries the creating process's id, so each run deletes only leftovers whose process is gone, never a
/// concurrent run's. The helper processes (listener, /etc holder) need no sweeping: they exit when their stdin closes.
/// </summary>
public static class Abandoned
{
    private static readonly Lazy<Task> Once = new(SweepAsync);

    /// <summary>The prefix for names this process creates: <c>rpt-PID-</c>.</summary>
    public static string Prefix { get; } = $"rpt-{Environment.ProcessId}-";

    /// <summary>Where large scratch trees go: tmpfs (<c>/dev/shm</c>) when there is one, else the temp directory.</summary>
    public static string ScratchRoot { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    public static Task SweepOnceAsync() => Once.Value;

    private static async Task SweepAsync()
    {
        if (Directory.Exists("/run/netns"))
        {
            foreach (var name in Directory.EnumerateFiles("/run/netns", "rpt-*").Select(Path.GetFileName).OfType<string>().Where(IsAbandoned))
            {
                await Cmd.RunAsync(["ip", "netns", "del", name], cleanup: true);
            }
        }

        var roots = new[] { Path.GetTempPath(), ScratchRoot }.Distinct();
        foreach (var dir in roots.SelectMany(root => Directory.EnumerateDirectories(root, "rpt-*")).Where(dir => IsAbandoned(Path.GetFileName(dir))))
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Still in use after all (a pid reused): left for a later sweep.
            }
        }
    }

    private static bool IsAbandoned(string name) =>
        name.Split('-') is ["rpt", var pid, ..] && int.TryParse(pid, out var owner) && owner != Environment.ProcessId && !Directory.Exists($"/proc/{owner}");
}
