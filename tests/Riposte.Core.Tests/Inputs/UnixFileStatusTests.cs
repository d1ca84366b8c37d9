using System.Diagnostics;
using System.Globalization;

namespace Riposte.Inputs;

/// <summary>The owner, mode and identity libc reports, checked against coreutils' own <c>stat</c>.</summary>
public sealed class UnixFileStatusTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/tmp")]
    [InlineData("/etc/passwd")]
    [InlineData("/bin/sh")]
    public void Matches_coreutils_stat(string path)
    {
        UnixFileStatus.TryStat(path, out var status).ShouldBeTrue();

        // -L: follow links, as TryStat does; %f is the raw mode in hex.
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])["-L", "-c", "%u %g %f %d %i %s", path])
        {
            start.ArgumentList.Add(arg);
        }

        using var stat = Process.Start(start)!;
        var fields = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
        stat.WaitForExit();

        status.Uid.ShouldBe(uint.Parse(fields[0], CultureInfo.InvariantCulture));
        status.Gid.ShouldBe(uint.Parse(fields[1], CultureInfo.InvariantCulture));
        status.Mode.ShouldBe(int.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        status.Identity.ShouldBe($"{fields[3]}:{fields[4]}");
        status.Size.ShouldBe(long.Parse(fields[5], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Owner_and_group_are_told_apart()
    {
        var path = Path.GetTempFileName();
        try
        {
            // Distinct ids, so a swapped or shifted field shows; only root may give a file away.
            using (var chown = Process.Start("chown", ["65534:65533", path]))
            {
                chown.WaitForExit();
                Assert.SkipUnless(chown.ExitCode == 0, "needs root, to chown");
            }

            UnixFileStatus.TryStat(path, out var status).ShouldBeTrue();
            (status.Uid, status.Gid).ShouldBe((65534u, 65533u));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_path_is_false()
    {
        UnixFileStatus.TryStat("/nonexistent-riposte-" + Guid.NewGuid().ToString("N"), out _).ShouldBeFalse();
    }
}
