using System.Text.Json;

namespace Riposte.Cli.Doctor;

public sealed class DoctorCommandTests
{
    [Fact]
    public async Task A_good_home_passes_every_check_and_exits_0()
    {
        using var home = new DoctorHome();
        await home.CreateStateAsync();

        var result = await home.RunAsync();

        result.ExitCode.ShouldBe(0, result.Out);
        result.Out.ShouldNotContain("✘");
        result.Out.ShouldContain("✔ firewall-drop600 (active-response/bin/firewall-drop): executable");
        result.Out.ShouldContain("✔ quick_check: PRAGMA quick_check: ok");
        result.Out.ShouldContain($"✔ iptables: {home.Tools}/iptables: iptables v1.8.9 (nf_tables)");
        result.Out.ShouldContain("✔ queue/alerts/execq:");
        result.Out.ShouldContain("✔ system clock:");
        result.Out.ShouldContain(" 0 failed");
    }

    [Fact]
    public async Task Json_output_has_one_object_per_result_with_a_fix_for_each_problem()
    {
        using var home = new DoctorHome();
        File.Delete(Path.Combine(home.Bin, "firewall-drop"));

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        report.Root.EnumerateObject().Select(p => p.Name).ShouldBe(["home", "healthy", "summary", "checks"]);
        report.Root.GetProperty("home").GetString().ShouldBe(home.Path);
        report.Root.GetProperty("healthy").GetBoolean().ShouldBeFalse();
        report.Root.GetProperty("summary").EnumerateObject().Select(p => p.Name).ShouldBe(["pass", "warn", "fail", "skip"]);
        report.Root.GetProperty("summary").GetProperty("fail").GetInt32().ShouldBe(report.Failures.Count);
        report.Checks.Select(c => c.GetProperty("check").GetString()).Distinct().ShouldBe(["home", "config", "programs", "firewall", "execq", "state", "clock"]);
        foreach (var check in report.Checks)
        {
            check.EnumerateObject().Select(p => p.Name).ShouldBe(["check", "subject", "status", "message", "fix", "details"]);
            check.GetProperty("status").GetString().ShouldBeOneOf("pass", "warn", "fail", "skip");
            var hasFix = check.GetProperty("fix").ValueKind == JsonValueKind.String;
            hasFix.ShouldBe(check.GetProperty("status").GetString() is "warn" or "fail", check.ToString());
        }

        var missing = report.Failures.ShouldHaveSingleItem();
        missing.GetProperty("check").GetString().ShouldBe("programs");
        missing.GetProperty("fix").GetString().ShouldBe($"riposte install-programs --home {home.Path} --only firewall-drop");
    }

    [Fact]
    public async Task A_home_that_does_not_exist_is_one_failure_with_the_reason()
    {
        var missing = Path.Combine(Path.GetTempPath(), "riposte-no-such-home-" + Guid.NewGuid().ToString("N"));

        var result = await CliRunner.RunAsync(["doctor", "--home", missing]);

        result.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        result.Out.ShouldContain("✘ home: the home or its settings cannot be used");
        result.Out.ShouldContain($"home directory '{missing}' does not exist");
    }

    [Fact]
    public async Task A_fleet_agents_home_is_checked_against_the_ar_conf_its_manager_pushed()
    {
        using var home = new DoctorHome();
        File.WriteAllText(Path.Combine(home.Path, "etc", "riposte.json"), """{ "fleet": { "role": "agent", "nats_url": "nats://127.0.0.1:4222", "agent_id": "001" } }""");
        Directory.CreateDirectory(Path.Combine(home.Path, "etc", "shared"));
        File.WriteAllText(Path.Combine(home.Path, "etc", "shared", "ar.conf"), "firewall-drop600 - firewall-drop - 600\nghost60 - ghost - 60\n");

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        report.One("config", home.Home.Config).GetProperty("message").GetString()!.ShouldEndWith("read as the agent reads it");
        report.One("programs", "firewall-drop600 (active-response/bin/firewall-drop)").GetProperty("status").GetString().ShouldBe("pass");
        report.One("programs", "ghost60 (active-response/bin/ghost)").GetProperty("status").GetString().ShouldBe("fail");
    }

    [Fact]
    public async Task Invalid_settings_are_one_failure_with_their_file_line_and_column()
    {
        using var home = new DoctorHome();
        var settings = Path.Combine(home.Path, "etc", "riposte.json");
        File.WriteAllText(settings, """{ "fleet": { "role": "agent" } }""");

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var failure = report.Failures.ShouldHaveSingleItem();
        failure.GetProperty("details").EnumerateArray().Select(d => d.GetString()!)
            .ShouldContain(d => d.StartsWith(settings + ":1:", StringComparison.Ordinal) && d.Contains("needs fleet.nats_url", StringComparison.Ordinal));
    }
}
