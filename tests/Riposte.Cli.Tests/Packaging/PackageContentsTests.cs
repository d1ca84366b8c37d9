using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Riposte.Cli.Commands;

namespace Riposte.Cli.Packaging;

/// <summary>The .deb from <c>packaging/build-deb</c>: its layout, modes, control files, and the programs it holds, run from the unpacked tree.</summary>
public sealed partial class PackageContentsTests(PackageBuild package)
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Lays_out_riposte_under_usr_lib_with_root_owned_files_and_exact_modes()
    {
        var built = await package.GetAsync();
        var entries = ParseListing(built.Listing);

        entries.ShouldAllBe(e => e.Owner == "root/root", "dpkg-deb --root-owner-group: every file is root's");
        Mode(entries, "./usr/bin/riposte").ShouldBe("lrwxrwxrwx");
        entries.Single(e => e.Path == "./usr/bin/riposte").LinkTarget.ShouldBe("../lib/riposte/riposte");
        Mode(entries, "./usr/lib/riposte/riposte").ShouldBe("-rwxr-xr-x");
        Mode(entries, "./usr/lib/riposte/riposte-ar").ShouldBe("-rwxr-xr-x");
        Mode(entries, "./usr/lib/riposte/riposte.dll").ShouldBe("-rw-r--r--");
        Mode(entries, "./usr/lib/systemd/system/riposte.service").ShouldBe("-rw-r--r--");
        Mode(entries, "./etc/riposte/riposte.json").ShouldBe("-rw-r--r--");
        Mode(entries, "./etc/default/riposte").ShouldBe("-rw-r--r--");
        Mode(entries, "./etc/logrotate.d/riposte").ShouldBe("-rw-r--r--");
        Mode(entries, "./usr/share/man/man1/riposte.1.gz").ShouldBe("-rw-r--r--");
        Mode(entries, "./usr/share/bash-completion/completions/riposte").ShouldBe("-rw-r--r--");
        Mode(entries, "./usr/share/doc/riposte/copyright").ShouldBe("-rw-r--r--");
        entries.Where(e => e.Mode.StartsWith('d')).ShouldAllBe(e => e.Mode == "drwxr-xr-x");
        Mode(entries, "./usr/share/riposte/wazuh/riposte_rules.xml").ShouldBe("-rw-r--r--");
        Mode(entries, "./usr/share/riposte/grafana/riposte-dashboard.json").ShouldBe("-rw-r--r--");
        entries.ShouldNotContain(e => e.Path.EndsWith(".xml", StringComparison.Ordinal) && e.Path != "./usr/share/riposte/wazuh/riposte_rules.xml",
            "API docs are not shipped");
        // Nothing under the Wazuh home or Riposte's state: those belong to the host and survive the package.
        entries.ShouldNotContain(e => e.Path.StartsWith("./var/", StringComparison.Ordinal));

        // The riposte-ar shipped is the one the build was given (the programs tests' native AOT binary).
        var riposteAr = await File.ReadAllBytesAsync(Path.Combine(built.Root, "usr/lib/riposte/riposte-ar"), TestContext.Current.CancellationToken);
        riposteAr.AsSpan(0, 4).ToArray().ShouldBe("\u007fELF"u8.ToArray());
    }

    [Fact]
    public async Task Control_files_name_the_conffiles_the_version_and_the_maintainer_scripts()
    {
        var built = await package.GetAsync();

        var conffiles = await File.ReadAllLinesAsync(Path.Combine(built.Control, "conffiles"), TestContext.Current.CancellationToken);
        conffiles.ShouldBe(["/etc/riposte/riposte.json", "/etc/default/riposte", "/etc/logrotate.d/riposte"]);
        foreach (var conffile in conffiles)
        {
            File.Exists(built.Root + conffile).ShouldBeTrue(conffile);
        }

        var control = await File.ReadAllTextAsync(Path.Combine(built.Control, "control"), TestContext.Current.CancellationToken);
        control.ShouldContain("Package: riposte\n");
        control.ShouldContain("Architecture: amd64\n");
        var version = (await Riposte(built, "--version")).Output.Trim().Split('+')[0];
        control.ShouldContain($"Version: {version}\n");
        Path.GetFileName(built.Deb).ShouldBe($"riposte_{version}_amd64.deb");
        control.ShouldNotContain("dotnet", Case.Insensitive, "self-contained: no .NET runtime package is needed");

        foreach (var script in new[] { "postinst", "prerm", "postrm" })
        {
            var path = Path.Combine(built.Control, script);
            File.GetUnixFileMode(path).ShouldBe((UnixFileMode)0b111_101_101, script);
            (await PackageBuild.RunAsync("sh", ["-n", path], Quick)).ExitCode.ShouldBe(0, script);
        }

        var md5sums = await File.ReadAllLinesAsync(Path.Combine(built.Control, "md5sums"), TestContext.Current.CancellationToken);
        md5sums.ShouldContain(line => line.EndsWith("  usr/lib/riposte/riposte-ar", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Riposte_is_self_contained_and_ReadyToRun_and_starts_fast()
    {
        var built = await package.GetAsync();
        var lib = Path.Combine(built.Root, "usr/lib/riposte");

        File.Exists(Path.Combine(lib, "libcoreclr.so")).ShouldBeTrue("the runtime ships with riposte");
        var runtimeConfig = await File.ReadAllTextAsync(Path.Combine(lib, "riposte.runtimeconfig.json"), TestContext.Current.CancellationToken);
        runtimeConfig.ShouldContain("includedFrameworks", customMessage: "a self-contained app lists the frameworks it includes");
        foreach (var assembly in new[] { "riposte.dll", "Riposte.Core.dll", "System.CommandLine.dll" })
        {
            using var pe = new PEReader(File.OpenRead(Path.Combine(lib, assembly)));
            // ReadyToRun code is announced by the CLR header's managed native header.
            pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size.ShouldBeGreaterThan(0, $"{assembly} is not ReadyToRun");
        }

        using var home = TempHome();
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var status = await Riposte(built, "status", "--home", home.Path);
            fastest = clock.Elapsed < fastest ? clock.Elapsed : fastest;
            status.ExitCode.ShouldBe(0, status.Output);
            status.Output.ShouldContain("no active responses");
        }

        // About 60 ms here; JIT-only startup is several times that. Generous for a loaded CI host.
        fastest.ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Installed_riposte_finds_riposte_ar_without_from()
    {
        var built = await package.GetAsync();
        using var home = TempHome();

        // Through /usr/bin/riposte, the link the package puts on the PATH (relative, so it resolves inside the unpacked root).
        var result = await PackageBuild.RunAsync(Path.Combine(built.Root, "usr/bin/riposte"), ["install-programs", "--home", home.Path], Quick);

        result.ExitCode.ShouldBe(0, result.Output);
        var shipped = await File.ReadAllBytesAsync(Path.Combine(built.Root, "usr/lib/riposte/riposte-ar"), TestContext.Current.CancellationToken);
        foreach (var name in InstallProgramsCommand.Programs)
        {
            var installed = Path.Combine(home.Path, "active-response", "bin", name);
            result.Output.ShouldContain($"installed {installed}");
            (await File.ReadAllBytesAsync(installed, TestContext.Current.CancellationToken)).ShouldBe(shipped, name);
        }
    }

    [Fact]
    public async Task Man_page_is_every_commands_help_and_bash_completion_asks_riposte()
    {
        var built = await package.GetAsync();

        await using var gz = new GZipStream(File.OpenRead(Path.Combine(built.Root, "usr/share/man/man1/riposte.1.gz")), CompressionMode.Decompress);
        var man = await new StreamReader(gz).ReadToEndAsync(TestContext.Current.CancellationToken);
        man.ShouldStartWith(".TH RIPOSTE 1");
        foreach (var command in new[] { "serve", "status", "install-programs", "fleet add-agent" })
        {
            man.ShouldContain($".SS \"riposte {command}\"");
        }

        man.ShouldContain("--from-start", customMessage: "serve's own --help text is in the page");
        if (PackageBuild.OnPath("man"))
        {
            var rendered = await PackageBuild.RunAsync("man", ["-l", Path.Combine(built.Root, "usr/share/man/man1/riposte.1.gz")], Quick,
                new Dictionary<string, string> { ["MANPAGER"] = "cat", ["MANWIDTH"] = "120" });
            rendered.ExitCode.ShouldBe(0, rendered.Output);
            rendered.Output.ShouldContain("--until-idle");
        }

        // The completion function, with the unpacked /usr/bin first on PATH, completes "riposte se" and serve's --log-format values.
        var completion = Path.Combine(built.Root, "usr/share/bash-completion/completions/riposte");
        var script = $$"""
            source '{{completion}}'
            complete -p riposte
            COMP_LINE='riposte se'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(riposte se); COMP_CWORD=1; _riposte; echo "1:${COMPREPLY[*]}"
            COMP_LINE='riposte serve --log-format '; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(riposte serve --log-format ''); COMP_CWORD=3; _riposte; echo "2:${COMPREPLY[*]}"
            """;
        var bash = await PackageBuild.RunAsync("bash", ["--norc", "-c", script], Quick,
            new Dictionary<string, string> { ["PATH"] = Path.Combine(built.Root, "usr/bin") + ":" + Environment.GetEnvironmentVariable("PATH") });
        bash.ExitCode.ShouldBe(0, bash.Output);
        bash.Output.ShouldContain("complete -o default -F _riposte riposte");
        bash.Output.ShouldContain("1:serve\n");
        bash.Output.ShouldContain("2:json text\n");
    }

    [Fact]
    public async Task Default_settings_validate_and_the_logrotate_snippet_parses()
    {
        var built = await package.GetAsync();
        using var home = TempHome();
        var ossecConf = Path.Combine(home.Path, "ossec.conf");
        await File.WriteAllTextAsync(ossecConf, "<ossec_config></ossec_config>\n", TestContext.Current.CancellationToken);

        var validate = await Riposte(built, "validate", "--config", ossecConf, "--settings", Path.Combine(built.Root, "etc/riposte/riposte.json"));
        validate.ExitCode.ShouldBe(0, validate.Output);

        Assert.SkipWhen(!PackageBuild.OnPath("logrotate"), "logrotate is not installed");
        // -d: debug, changes nothing; its own state file, so the host's is neither read nor written.
        var logrotate = await PackageBuild.RunAsync("logrotate", ["-d", "-s", Path.Combine(home.Path, "logrotate.state"), Path.Combine(built.Root, "etc/logrotate.d/riposte")], Quick);
        logrotate.ExitCode.ShouldBe(0, logrotate.Output);
        logrotate.Output.ShouldNotContain("error", Case.Insensitive);
        logrotate.Output.ShouldContain("rotating pattern: /var/ossec/logs/active-responses.log /var/ossec/logs/riposte-events.json  weekly (12 rotations)");
    }

    private static Task<(int ExitCode, string Output)> Riposte(PackageBuild.Built built, params string[] args) =>
        PackageBuild.RunAsync(Path.Combine(built.Root, "usr/lib/riposte/riposte"), args, Quick);

    private static TempDirectory TempHome() => new();

    private static string Mode(List<Entry> entries, string path) =>
        (entries.SingleOrDefault(e => e.Path == path) ?? throw new ShouldAssertException($"{path} is not in the package")).Mode;

    /// <summary>Lines of <c>dpkg-deb -c</c>: <c>-rwxr-xr-x root/root 123 2026-01-01 00:00 ./path[ -> target]</c>.</summary>
    private static List<Entry> ParseListing(string listing) =>
        [.. listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => ListingLine().Match(line)).Where(m => m.Success)
            .Select(m => new Entry(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value.TrimEnd('/') is { Length: > 0 } p ? p : "./",
                m.Groups[4].Success ? m.Groups[4].Value : null))];

    [GeneratedRegex(@"^(\S{10})\s+(\S+)\s+\d+\s+\S+\s+\S+\s+(.+?)(?: -> (.+))?$")]
    private static partial Regex ListingLine();

    private sealed record Entry(string Mode, string Owner, string Path, string? LinkTarget);

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("riposte-pkg-home-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
