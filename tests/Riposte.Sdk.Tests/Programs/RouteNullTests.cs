using Riposte.Support;

namespace Riposte.Programs;

public sealed class RouteNullTests
{
    [Theory]
    [InlineData("203.0.113.45", "ip -4 route replace blackhole 203.0.113.45/32")]
    [InlineData("2001:db8::1", "ip -6 route replace blackhole 2001:db8::1/128")]
    public async Task Add_replaces_a_blackhole_route(string srcip, string expected)
    {
        using var home = new ArHome();
        home.FakeTool("ip");

        var result = await home.RunAsync("route-null", Messages.WithSrcIp("add", srcip) + "\n" + Messages.WithSrcIp("continue", srcip) + "\n");

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldContain($"\"keys\":[\"{srcip}\"]");
        home.CallLines.ShouldBe([expected]);
    }

    [Fact]
    public async Task Delete_of_a_missing_route_is_fine()
    {
        using var home = new ArHome();
        home.FakeTool("ip", "echo 'RTNETLINK answers: No such process' >&2; exit 2");

        var result = await home.RunAsync("route-null", Messages.WithSrcIp("delete", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(0);
        home.CallLines.ShouldBe(["ip -4 route del blackhole 203.0.113.45/32"]);
        home.LogMessages[^1].ShouldBe("Ended");
    }

    [Fact]
    public async Task Other_failures_are_exit_1()
    {
        using var home = new ArHome();
        home.FakeTool("ip", "echo 'RTNETLINK answers: Operation not permitted' >&2; exit 2");

        var result = await home.RunAsync("route-null", Messages.WithSrcIp("delete", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(1);
        home.LogMessages[^1].ShouldContain("Operation not permitted");
    }

    [Fact]
    public async Task Missing_srcip_uses_route_null_text()
    {
        using var home = new ArHome();

        var result = await home.RunAsync("route-null", Messages.WithSrcIp("add", "x") + "\n");

        result.ExitCode.ShouldBe(255);
        home.LogMessages[^1].ShouldBe("Cannot read 'srcip' from data");
    }
}
