using System.Globalization;
using System.Text.RegularExpressions;

namespace Riposte.Cli.Packaging;

/// <summary>riposte.service as packaged, checked by systemd's own tools against the unpacked tree (never the host's /etc/systemd).</summary>
public sealed partial class ServiceUnitTests(PackageBuild package)
{
    /// <summary>The exposure <c>systemd-analyze security</c> gave the unit when it was written (docs/PACKAGING.md); a change that loosens it fails here.</summary>
    private const double MaxExposure = 2.7;

    [Fact]
    public async Task Systemd_analyze_verify_accepts_the_unit_without_a_single_complaint()
    {
        Assert.SkipWhen(!PackageBuild.OnPath("systemd-analyze"), "systemd-analyze is not installed (.ci/run installs the systemd package for it)");
        var root = await UnitRootAsync();

        var verify = await PackageBuild.RunAsync("systemd-analyze", ["verify", "--man=no", "--root=" + root, "/usr/lib/systemd/system/riposte.service"],
            TimeSpan.FromSeconds(60));

        // verify exits 0 on unknown keys and bad values ("ignoring"), so any output at all is a failure.
        verify.ExitCode.ShouldBe(0, verify.Output);
        verify.Output.Trim().ShouldBeEmpty();
        var unit = await File.ReadAllTextAsync(Path.Combine(root, "usr/lib/systemd/system/riposte.service"), TestContext.Current.CancellationToken);
        unit.ShouldContain("\nType=notify\n");
        unit.ShouldContain("\nExecReload=/bin/kill -HUP $MAINPID\n");
        unit.ShouldContain("\nExecStart=/usr/bin/riposte serve --settings /etc/riposte/riposte.json $RIPOSTE_SERVE_ARGS\n");
        unit.ShouldContain("\nProtectSystem=strict\n");
        unit.ShouldContain("\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER CAP_KILL CAP_AUDIT_WRITE\n");
    }

    [Fact]
    public async Task Systemd_analyze_security_exposure_stays_at_most_the_documented_score()
    {
        Assert.SkipWhen(!PackageBuild.OnPath("systemd-analyze"), "systemd-analyze is not installed (.ci/run installs the systemd package for it)");
        var root = await UnitRootAsync();

        var security = await PackageBuild.RunAsync("systemd-analyze", ["security", "--offline=true", "--root=" + root, "riposte.service"], TimeSpan.FromSeconds(60));

        security.ExitCode.ShouldBe(0, security.Output);
        var score = Exposure().Match(security.Output);
        score.Success.ShouldBeTrue(security.Output);
        double.Parse(score.Groups[1].Value, CultureInfo.InvariantCulture).ShouldBeLessThanOrEqualTo(MaxExposure, security.Output);
    }

    /// <summary>
    /// The package's unit, /usr/bin/riposte link and executable (what verify resolves from ExecStart=), plus the
    /// standard targets (After=, WantedBy=) and /bin/kill (ExecReload=) copied from this host's systemd, so the check
    /// is about the unit, not about the host.
    /// </summary>
    private async Task<string> UnitRootAsync()
    {
        var built = await package.GetAsync();
        var root = Path.Combine(PackageBuild.Work, "unit-root-" + Guid.NewGuid().ToString("N"));
        var systemUnits = Path.Combine(root, "usr/lib/systemd/system");
        Directory.CreateDirectory(systemUnits);
        Directory.CreateDirectory(Path.Combine(root, "usr/bin"));
        Directory.CreateDirectory(Path.Combine(root, "usr/lib/riposte"));
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.Copy(Path.Combine(built.Root, "usr/lib/systemd/system/riposte.service"), Path.Combine(systemUnits, "riposte.service"));
        File.CreateSymbolicLink(Path.Combine(root, "usr/bin/riposte"), new FileInfo(Path.Combine(built.Root, "usr/bin/riposte")).LinkTarget!);
        CopyExecutable(Path.Combine(built.Root, "usr/lib/riposte/riposte"), Path.Combine(root, "usr/lib/riposte/riposte"));
        CopyExecutable("/bin/kill", Path.Combine(root, "bin/kill"));
        var hostUnits = new[] { "/usr/lib/systemd/system", "/lib/systemd/system" }.First(Directory.Exists);
        foreach (var target in Directory.GetFiles(hostUnits, "*.target"))
        {
            File.Copy(target, Path.Combine(systemUnits, Path.GetFileName(target)), overwrite: true);
        }

        return root;

        static void CopyExecutable(string from, string to)
        {
            File.Copy(from, to);
            File.SetUnixFileMode(to, (UnixFileMode)0b111_101_101);
        }
    }

    [GeneratedRegex(@"Overall exposure level for riposte\.service: (\d+(?:\.\d+)?)")]
    private static partial Regex Exposure();
}
