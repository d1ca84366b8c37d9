namespace Riposte.Cli.Commands;

/// <summary><c>riposte trigger</c> refuses every address and user name a program must not act on, before anything runs.</summary>
public sealed class TriggerCommandTests
{
    [Theory]
    [InlineData("a;b")]
    [InlineData("$(id)")]
    [InlineData("`id`")]
    [InlineData("a|b")]
    [InlineData("a&b")]
    [InlineData("a>b")]
    [InlineData("a'b")]
    [InlineData("a\"b")]
    [InlineData("a*")]
    [InlineData("test$user")]
    [InlineData("a\u0000b")]
    [InlineData("-oProxyCommand=x")]
    public async Task User_names_with_shell_metacharacters_are_refused(string user)
    {
        using var home = new TestHome();

        var result = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--user", user]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("--user");
        result.Error.ShouldContain("refused");
        home.Events().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("alice.smith")]
    [InlineData("alice@corp.example")]
    [InlineData("WKS01$")]
    public async Task Ordinary_user_names_are_accepted(string user)
    {
        using var home = new TestHome();

        var result = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.8", "--user", user]);

        result.ExitCode.ShouldBe(0, result.Error);
    }

    [Theory]
    [InlineData("127.1")]
    [InlineData("0x7f.1")]
    [InlineData("0127.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("fe80::1%eth0")]
    [InlineData("1.2.3.0/24")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("255.255.255.255")]
    [InlineData(" 203.0.113.8")]
    public async Task Addresses_that_are_not_one_numeric_unicast_address_are_refused(string srcip)
    {
        using var home = new TestHome();

        var result = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", srcip]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("--srcip");
        home.Events().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"data":{"srcip":"1.2.3.4; touch X #"}}""", "srcip")]
    [InlineData("""{"data":{"win":{"eventdata":{"ipAddress":"1.2.3.4; touch X"}},"srcip":"203.0.113.9"}}""", "address")]
    [InlineData("""{"data":{"win":{"eventdata":{"destinationIp":"$(id)"}}}}""", "address")]
    [InlineData("""{"data":{"srcip":"203.0.113.9","dstuser":"a;b"}}""", "user")]
    public async Task A_hostile_alert_file_stores_no_key(string alert, string mentions)
    {
        using var home = new TestHome();
        var file = Path.Combine(home.Path, "f.json");
        File.WriteAllText(file, alert);

        var result = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--alert", file]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain(mentions);
        home.Events().ShouldBeEmpty();
        (await CliRunner.RunAsync(["status", "--home", home.Path])).Out.ShouldNotContain("touch");
        (await CliRunner.RunAsync(["history", "--home", home.Path, "--format", "json"])).Out.ShouldNotContain("touch");
    }

    [Fact]
    public async Task A_srcip_option_does_not_hide_a_hostile_windows_address_in_the_alert_file()
    {
        using var home = new TestHome();
        var file = Path.Combine(home.Path, "f.json");
        File.WriteAllText(file, """{"data":{"win":{"eventdata":{"ipAddress":"1.2.3.4; touch X"}}}}""");

        var result = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--alert", file, "--srcip", "203.0.113.9"]);

        result.ExitCode.ShouldBe(2);
        home.Events().ShouldBeEmpty();
    }
}
