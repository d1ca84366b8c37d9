namespace Riposte.Cli.Packaging;

/// <summary>The tarball's <c>install.sh</c>, run into a staging root (<c>--destdir</c>), never into the host.</summary>
public sealed class TarballInstallTests(PackageBuild package)
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Install_sh_lays_out_the_prefix_keeps_edited_settings_and_uninstalls()
    {
        var built = await package.GetAsync();
        var work = Path.Combine(PackageBuild.Work, "tarball-" + Guid.NewGuid().ToString("N"));
        var destdir = Path.Combine(work, "dest");
        Directory.CreateDirectory(destdir);
        (await PackageBuild.RunAsync("tar", ["-xzf", built.Tarball, "-C", work], Quick)).ExitCode.ShouldBe(0);
        var tree = Directory.GetDirectories(work, "riposte-*").Single();
        var install = Path.Combine(tree, "install.sh");

        var first = await PackageBuild.RunAsync(install, ["--destdir", destdir], Quick);

        first.ExitCode.ShouldBe(0, first.Output);
        new FileInfo(Path.Combine(destdir, "usr/local/bin/riposte")).LinkTarget.ShouldBe("/usr/local/lib/riposte/riposte");
        var version = await PackageBuild.RunAsync(Path.Combine(destdir, "usr/local/lib/riposte/riposte"), ["--version"], Quick);
        version.ExitCode.ShouldBe(0, version.Output);
        File.Exists(Path.Combine(destdir, "usr/local/lib/riposte/riposte-ar")).ShouldBeTrue();
        var unit = await File.ReadAllTextAsync(Path.Combine(destdir, "etc/systemd/system/riposte.service"), TestContext.Current.CancellationToken);
        unit.ShouldContain("\nExecStart=/usr/local/bin/riposte serve --settings /etc/riposte/riposte.json $RIPOSTE_SERVE_ARGS\n");
        File.Exists(Path.Combine(destdir, "usr/local/share/man/man1/riposte.1.gz")).ShouldBeTrue();

        // An operator's edit survives a reinstall; the shipped file lands beside it.
        var settings = Path.Combine(destdir, "etc/riposte/riposte.json");
        await File.WriteAllTextAsync(settings, """{ "home": "/srv/wazuh" }""", TestContext.Current.CancellationToken);
        (await PackageBuild.RunAsync(install, ["--destdir", destdir], Quick)).ExitCode.ShouldBe(0);
        (await File.ReadAllTextAsync(settings, TestContext.Current.CancellationToken)).ShouldBe("""{ "home": "/srv/wazuh" }""");
        File.Exists(settings + ".new").ShouldBeTrue();

        Directory.CreateDirectory(Path.Combine(destdir, "var/ossec/riposte"));
        await File.WriteAllTextAsync(Path.Combine(destdir, "var/ossec/riposte/state.db"), "", TestContext.Current.CancellationToken);
        (await PackageBuild.RunAsync(install, ["--destdir", destdir, "--uninstall"], Quick)).ExitCode.ShouldBe(0);
        Directory.Exists(Path.Combine(destdir, "usr/local/lib/riposte")).ShouldBeFalse();
        File.Exists(Path.Combine(destdir, "var/ossec/riposte/state.db")).ShouldBeTrue("uninstall keeps the state");
        File.Exists(settings).ShouldBeTrue("uninstall keeps the settings");

        (await PackageBuild.RunAsync(install, ["--destdir", destdir, "--uninstall", "--purge"], Quick)).ExitCode.ShouldBe(0);
        Directory.Exists(Path.Combine(destdir, "var/ossec/riposte")).ShouldBeFalse();
        File.Exists(settings).ShouldBeFalse();
    }
}
