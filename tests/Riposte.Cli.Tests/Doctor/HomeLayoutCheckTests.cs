namespace Riposte.Cli.Doctor;

public sealed class HomeLayoutCheckTests
{
    [Fact]
    public async Task A_world_writable_directory_fails_with_the_chmod_that_fixes_it()
    {
        using var home = new DoctorHome();
        File.SetUnixFileMode(home.Bin, (UnixFileMode)0b111_111_111);

        var result = await home.RunAsync();

        result.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        result.Out.ShouldContain("✘ active-response/bin: directory is world-writable (rwxrwxrwx)");
        result.Out.ShouldContain($"fix: chmod o-w {home.Bin}");
    }

    [Fact]
    public async Task A_missing_bin_directory_fails()
    {
        using var home = new DoctorHome();
        Directory.Delete(home.Bin, recursive: true);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var bin = report.One("home", "active-response/bin");
        bin.GetProperty("status").GetString().ShouldBe("fail");
        bin.GetProperty("fix").GetString().ShouldBe($"mkdir -m 0750 {home.Bin}");
    }

    [Fact]
    public async Task A_group_writable_directory_is_only_a_warning()
    {
        using var home = new DoctorHome();
        File.SetUnixFileMode(Path.Combine(home.Path, "logs"), (UnixFileMode)0b111_111_101);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(0, report.Text);
        report.One("home", "logs").GetProperty("status").GetString().ShouldBe("warn");
    }
}
