using System.Text.Json;
using Riposte.Support;

namespace Riposte.Programs;

public sealed class WebhookTests
{
    private static readonly Dictionary<string, string> s_noProxy = new()
    {
        ["http_proxy"] = string.Empty,
        ["HTTP_PROXY"] = string.Empty,
        ["no_proxy"] = "*",
    };

    [Fact]
    public async Task Posts_a_Slack_compatible_summary_to_every_url()
    {
        using var home = new ArHome();
        await using var first = new LoopbackHttpServer();
        await using var second = new LoopbackHttpServer();
        var message = Fixtures.Wire("A4").Replace("active-response/bin/firewall-drop", "active-response/bin/webhook", StringComparison.Ordinal)
            .Replace("\"extra_args\":[]", $"\"extra_args\":[\"{first.Url}/hooks/secret?token=x\",\"timeout=3\",\"{second.Url}/b\"]", StringComparison.Ordinal)
            .Replace("sshd: brute force", "sshd: <b>brute</b> & force", StringComparison.Ordinal);

        var result = await home.RunAsync("webhook", message + "\n", s_noProxy);

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBeEmpty();
        first.Requests.Single().RequestLine.ShouldBe("POST /hooks/secret?token=x HTTP/1.1");
        second.Requests.Single().RequestLine.ShouldBe("POST /b HTTP/1.1");
        var request = first.Requests.Single();
        request.Headers["content-type"].ShouldBe("application/json; charset=utf-8");
        request.Headers["user-agent"].ShouldBe("riposte-webhook/1");

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        root.GetProperty("text").GetString().ShouldBe(
            "Wazuh alert rule 5712 (level 10): sshd: &lt;b&gt;brute&lt;/b&gt; &amp; force trying to get access to the system. Non existent user. | agent 001 web-01 | srcip 203.0.113.45 | webhook add");
        root.GetProperty("command").GetString().ShouldBe("add");
        root.GetProperty("program").GetString().ShouldBe("active-response/bin/webhook");
        root.GetProperty("origin").GetProperty("module").GetString().ShouldBe("wazuh-execd");
        root.GetProperty("rule").GetProperty("id").GetString().ShouldBe("5712");
        root.GetProperty("rule").GetProperty("level").GetInt32().ShouldBe(10);
        root.GetProperty("rule").GetProperty("description").GetString().ShouldStartWith("sshd: <b>brute</b> & force");
        root.GetProperty("agent").GetProperty("name").GetString().ShouldBe("web-01");
        root.GetProperty("agent").GetProperty("ip").GetString().ShouldBe("10.0.1.21");
        root.GetProperty("srcip").GetString().ShouldBe("203.0.113.45");
        root.GetProperty("dstuser").ValueKind.ShouldBe(JsonValueKind.Null);
        root.GetProperty("alert").GetProperty("id").GetString().ShouldBe("1764238317.108876");
        root.GetProperty("alert").GetProperty("location").GetString().ShouldBe("/var/log/auth.log");
        DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ShouldNotBe(default);
        home.LogMessages[^1].ShouldBe("Ended");

        // The input line is logged whole, as Wazuh logs it; only the program's own lines leave the URL path out.
        home.LogMessages.Where(line => !line.StartsWith('{')).ShouldAllBe(line => !line.Contains("secret"));
    }

    [Fact]
    public async Task An_error_status_is_a_failure_and_the_url_path_stays_out_of_the_log()
    {
        using var home = new ArHome();
        await using var server = new LoopbackHttpServer(status: 500);
        var message = Messages.WithSrcIp("add", "203.0.113.45", $"[\"{server.Url}/services/T000/B000/secret\"]");

        var result = await home.RunAsync("webhook", message + "\n", s_noProxy);

        result.ExitCode.ShouldBe(1);
        home.LogMessages[^2..].ShouldBe([$"Webhook {server.Url}/...: HTTP 500", "Unable to post to 1 of 1 webhook(s)"]);
        home.LogMessages.Where(line => !line.StartsWith('{')).ShouldAllBe(line => !line.Contains("secret"));
    }

    [Fact]
    public async Task A_silent_endpoint_times_out()
    {
        using var home = new ArHome();
        await using var server = new LoopbackHttpServer(silent: true);
        var message = Messages.WithSrcIp("add", "203.0.113.45", $"[\"{server.Url}/x\",\"timeout=1\"]");
        var started = DateTime.UtcNow;

        var result = await home.RunAsync("webhook", message + "\n", s_noProxy);

        result.ExitCode.ShouldBe(1);
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(15));
        home.LogMessages[^2].ShouldBe($"Webhook {server.Url}/...: no answer within the time limit");
    }

    [Theory]
    [InlineData("""["ftp://example.org/x"]""", "Invalid webhook URL 'ftp://example.org/...'")]
    [InlineData("""["file:///etc/passwd"]""", "Invalid webhook URL '(unparsable)'")]
    [InlineData("""["example.org/hook"]""", "Invalid webhook URL '(unparsable)'")]
    [InlineData("""["http://example.org/x","timeout=0"]""", "Invalid extra argument 'timeout=0' (whole seconds from 1 to 300)")]
    [InlineData("[]", "Cannot read 'extra_args' from data")]
    public async Task Invalid_settings_are_refused(string extraArgs, string logged)
    {
        using var home = new ArHome();

        var result = await home.RunAsync("webhook", Messages.WithSrcIp("add", "203.0.113.45", extraArgs) + "\n");

        result.ExitCode.ShouldBe(255);
        home.LogMessages[^1].ShouldBe(logged);
    }
}
