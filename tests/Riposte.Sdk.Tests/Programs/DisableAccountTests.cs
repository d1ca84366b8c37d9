using Riposte.Support;

namespace Riposte.Programs;

public sealed class DisableAccountTests
{
    private const string Getent = """
        case "$2" in
          deploy) echo 'deploy:x:1001:1001::/home/deploy:/bin/bash';;
          toor) echo 'toor:x:0:0::/root:/bin/bash';;
          *) exit 2;;
        esac
        """;

    private static string AddExchange(string user) =>
        Messages.WithUser("add", user) + "\n" + Messages.WithUser("continue", user) + "\n";

    [Fact]
    public async Task Add_locks_with_passwd_after_checking_the_account()
    {
        using var home = new ArHome();
        home.FakeTool("getent", Getent);
        home.FakeTool("passwd");

        var result = await home.RunAsync("disable-account", AddExchange("deploy"));

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe("""{"version":1,"origin":{"name":"disable-account","module":"active-response"},"command":"check_keys","parameters":{"keys":["deploy"]}}""" + "\n");
        home.CallLines.ShouldBe(["getent passwd deploy", "passwd -l deploy"]);
        home.LogMessages[^1].ShouldBe("Ended");
    }

    [Fact]
    public async Task Delete_unlocks()
    {
        using var home = new ArHome();
        home.FakeTool("getent", Getent);
        home.FakeTool("passwd");

        var result = await home.RunAsync("disable-account", Messages.WithUser("delete", "deploy") + "\n");

        result.ExitCode.ShouldBe(0);
        home.CallLines.ShouldBe(["getent passwd deploy", "passwd -u deploy"]);
    }

    [Fact]
    public async Task An_account_with_uid_0_is_never_touched_whatever_its_name()
    {
        using var home = new ArHome();
        home.FakeTool("getent", Getent);
        home.FakeTool("passwd");

        var result = await home.RunAsync("disable-account", AddExchange("toor"));

        result.ExitCode.ShouldBe(255);
        result.Stdout.ShouldBeEmpty();
        home.CallLines.ShouldBe(["getent passwd toor"]);
        home.LogMessages[^1].ShouldBe("Refusing to act on 'toor': uid 0");
    }

    [Theory]
    [InlineData("root")]
    [InlineData("-l")]
    [InlineData("../etc")]
    [InlineData("a b")]
    public async Task Invalid_names_are_refused_before_the_handshake(string user)
    {
        using var home = new ArHome();
        home.FakeTool("getent", Getent);
        home.FakeTool("passwd");

        var result = await home.RunAsync("disable-account", AddExchange(user));

        result.ExitCode.ShouldBe(255);
        result.Stdout.ShouldBeEmpty();
        home.Calls.ShouldBeEmpty();
        home.LogMessages[^1].ShouldBe("Cannot read 'dstuser' from data or invalid username format");
    }

    [Fact]
    public async Task All_digit_names_are_refused()
    {
        using var home = new ArHome();
        home.FakeTool("getent", Getent);
        home.FakeTool("passwd");

        var result = await home.RunAsync("disable-account", Messages.WithUser("delete", "0") + "\n");

        result.ExitCode.ShouldBe(255);
        home.Calls.ShouldBeEmpty();
        home.LogMessages[^1].ShouldBe("Refusing numeric user name '0' (it reads as a uid)");
    }

    [Fact]
    public async Task An_unknown_account_is_logged_and_left_alone_without_a_handshake()
    {
        using var home = new ArHome();
        home.FakeTool("getent", Getent);
        home.FakeTool("passwd");

        var result = await home.RunAsync("disable-account", AddExchange("ghost"));

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBeEmpty();
        home.CallLines.ShouldBe(["getent passwd ghost"]);
        home.LogMessages[^1].ShouldBe("User 'ghost' does not exist");
    }

    [Fact]
    public async Task A_failed_lookup_is_exit_1()
    {
        using var home = new ArHome();
        home.FakeTool("getent", "echo 'nss failure' >&2; exit 1");
        home.FakeTool("passwd");

        var result = await home.RunAsync("disable-account", AddExchange("deploy"));

        result.ExitCode.ShouldBe(1);
        home.CallLines.ShouldBe(["getent passwd deploy"]);
        home.LogMessages[^1].ShouldBe("Cannot look up account 'deploy': getent passwd deploy: exit status 1 (nss failure)");
    }

    [Fact]
    public async Task Missing_passwd_is_Wazuh_text()
    {
        using var home = new ArHome();
        home.FakeTool("getent", Getent);

        var result = await home.RunAsync("disable-account", AddExchange("deploy"));

        result.ExitCode.ShouldBe(0);
        home.LogMessages[^1].ShouldBe("The passwd file 'passwd' is not accessible: No such file or directory (2)");
    }
}
