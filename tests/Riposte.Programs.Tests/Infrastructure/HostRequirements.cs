namespace Riposte.Programs.Tests;

/// <summary>
/// Skips a test, with the reason, where it cannot run: these tests need root (namespaces, netfilter) and the
/// system tools the programs drive. CI runs as root with every tool installed, so there nothing is skipped.
/// </summary>
public static class HostRequirements
{
    private static readonly string[] SearchPath =
        [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    public static bool IsRoot { get; } = EffectiveUid() == 0;

    /// <summary>Skips unless running as root with every one of <paramref name="tools"/> on the PATH (or in sbin).</summary>
    public static void Require(params string[] tools)
    {
        if (!IsRoot)
        {
            Assert.Skip("needs root: the test creates network and mount namespaces (CI runs the suite as root)");
        }

        var missing = tools.Where(tool => Find(tool) is null).ToArray();
        if (missing.Length > 0)
        {
            Assert.Skip($"needs {string.Join(", ", missing)} (not installed; .ci/run installs them)");
        }
    }

    /// <summary>
    /// The system's python3 when there is one: a version manager's shim on the PATH (pyenv) costs a shell script
    /// per start, and every probe starts one.
    /// </summary>
    public static string Python3 { get; } = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : Find("python3") ?? "python3";

    public static string? Find(string tool) =>
        SearchPath.Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    // /proc instead of geteuid(2): no interop for one number.
    private static int EffectiveUid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
