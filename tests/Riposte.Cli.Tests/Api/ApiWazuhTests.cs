using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Riposte.Cli.Api;

/// <summary>Wazuh's <c>PUT /active-response</c> (spec §4.3) and its login, against a real daemon, as a Wazuh client calls them.</summary>
public sealed class ApiWazuhTests(ApiDaemonFixture fixture) : IClassFixture<ApiDaemonFixture>
{
    private ApiDaemon Daemon => fixture.Daemon;

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PutAsync(string query, string body, HttpClient? client = null)
    {
        var response = await (client ?? Daemon.Client).PutAsync("/active-response" + query, new StringContent(body, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        return (response, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task A_known_command_runs_here_with_wazuhs_response_shape()
    {
        var (response, body) = await PutAsync("?agents_list=000",
            """{"command":"firewall-drop600","arguments":[],"alert":{"data":{"srcip":"198.51.100.81"}}}""");
        using (response)
        {
            body.GetRawText().ShouldBe("""{"data":{"affected_items":["000"],"total_affected_items":1,"failed_items":[],"total_failed_items":0},"message":"AR command was sent to all agents","error":0}""");
            response.Headers.GetValues("X-Riposte-Result").ShouldBe(["continued"]);
        }

        Daemon.Home.Events().ShouldContain("add 198.51.100.81");
        var add = (await Daemon.GetJsonAsync("/api/v1/history?key=198.51.100.81&event=add")).GetProperty("items")[0];
        add.GetProperty("source").GetString().ShouldBe("api");

        // No agents_list, or *, is every agent: on a single host, this one.
        var (all, allBody) = await PutAsync("", """{"command":"firewall-drop600","alert":{"data":{"srcip":"198.51.100.82"}}}""");
        all.Dispose();
        allBody.GetProperty("data").GetProperty("affected_items").EnumerateArray().Select(e => e.GetString()).ShouldBe(["000"]);
        Daemon.Home.Events().ShouldContain("add 198.51.100.82");
    }

    [Fact]
    public async Task Errors_come_as_wazuhs_failed_items()
    {
        var (r1, unknown) = await PutAsync("?agents_list=000", """{"command":"no-such600","alert":{"data":{"srcip":"198.51.100.83"}}}""");
        r1.Dispose();
        unknown.GetProperty("error").GetInt32().ShouldBe(1);
        unknown.GetProperty("message").GetString().ShouldBe("AR command was not sent to any agent");
        var data = unknown.GetProperty("data");
        data.GetProperty("total_affected_items").GetInt32().ShouldBe(0);
        data.GetProperty("total_failed_items").GetInt32().ShouldBe(1);
        var failed = data.GetProperty("failed_items").EnumerateArray().ShouldHaveSingleItem();
        failed.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(1652);
        failed.GetProperty("error").GetProperty("message").GetString().ShouldBe("The command used is not defined in the configuration.");
        failed.GetProperty("id").EnumerateArray().Select(e => e.GetString()).ShouldBe(["000"]);

        var (r2, empty) = await PutAsync("?agents_list=000", """{"command":""}""");
        r2.Dispose();
        empty.GetProperty("data").GetProperty("failed_items")[0].GetProperty("error").GetProperty("code").GetInt32().ShouldBe(1650);
        empty.GetProperty("data").GetProperty("failed_items")[0].GetProperty("error").GetProperty("message").GetString().ShouldBe("Active response - Command not specified");

        // Some sent, some not: error 2, the unknown agents grouped under one 1701.
        var (r3, some) = await PutAsync("?agents_list=000,001,2", """{"command":"firewall-drop600","alert":{"data":{"srcip":"198.51.100.84"}}}""");
        r3.Dispose();
        some.GetProperty("error").GetInt32().ShouldBe(2);
        some.GetProperty("message").GetString().ShouldBe("AR command was not sent to some agents");
        some.GetProperty("data").GetProperty("affected_items").EnumerateArray().Select(e => e.GetString()).ShouldBe(["000"]);
        var notFound = some.GetProperty("data").GetProperty("failed_items").EnumerateArray().ShouldHaveSingleItem();
        notFound.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(1701);
        notFound.GetProperty("error").GetProperty("message").GetString().ShouldBe("Agent does not exist");
        notFound.GetProperty("id").EnumerateArray().Select(e => e.GetString()).ShouldBe(["001", "002"]);
        some.GetProperty("data").GetProperty("total_failed_items").GetInt32().ShouldBe(2);

        // An unsafe address in the alert is refused before any program sees it.
        var before = Daemon.Home.Events().Length;
        var (r4, refused) = await PutAsync("", """{"command":"firewall-drop600","alert":{"data":{"srcip":"1.2.3.4;reboot"}}}""");
        r4.Dispose();
        refused.GetProperty("error").GetInt32().ShouldBe(1);
        refused.GetProperty("data").GetProperty("failed_items")[0].GetProperty("error").GetProperty("message").GetString()!.ShouldContain("refused");
        Daemon.Home.Events().Length.ShouldBe(before);
    }

    [Theory]
    [InlineData("", """{"command":"firewall-drop600; rm -rf /"}""", "does not match")]
    [InlineData("", """{"command":5}""", "'command' must be a string")]
    [InlineData("", """{"command":"firewall-drop600","arguments":"-x"}""", "array of strings")]
    [InlineData("", """{"command":"firewall-drop600","custom":"yes"}""", "boolean")]
    [InlineData("", """{"command":"firewall-drop600","srcip":"1.2.3.4"}""", "unknown member 'srcip'")]
    [InlineData("?agents_list=abc", """{"command":"firewall-drop600"}""", "agents_list")]
    [InlineData("", "not json", "not valid JSON")]
    public async Task Malformed_requests_are_400_problems(string query, string body, string detail)
    {
        using var response = await Daemon.Client.PutAsync("/active-response" + query, new StringContent(body, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        (await ApiDaemon.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain(detail);
    }

    [Fact]
    public async Task A_wazuh_client_logs_in_with_basic_and_uses_the_token_it_gets()
    {
        using var anonymous = Daemon.NewClient(null);
        using var login = new HttpRequestMessage(HttpMethod.Post, "/security/user/authenticate");
        login.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("wazuh-wui:" + ApiDaemon.Token)));
        using var loggedIn = await anonymous.SendAsync(login, TestContext.Current.CancellationToken);
        var text = await loggedIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        loggedIn.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var token = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("token").GetString()!;
        JsonDocument.Parse(text).RootElement.GetProperty("error").GetInt32().ShouldBe(0);

        using var client = Daemon.NewClient(token);
        var (response, body) = await PutAsync("?agents_list=000", """{"command":"firewall-drop600","alert":{"data":{"srcip":"198.51.100.85"}}}""", client);
        response.Dispose();
        body.GetProperty("error").GetInt32().ShouldBe(0);

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/security/user/authenticate");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("wazuh:wazuh")));
        using var refused = await anonymous.SendAsync(wrong, TestContext.Current.CancellationToken);
        await ApiDaemon.ShouldBeProblemAsync(refused, HttpStatusCode.Unauthorized);

        using var noToken = await anonymous.PutAsync("/active-response", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ApiDaemon.ShouldBeProblemAsync(noToken, HttpStatusCode.Unauthorized);
    }
}
