using System.Net;
using Riposte.Cli.Api;

namespace Riposte.Cli.Dashboard;

/// <summary>The dashboard's sign-in and its cookie, at the HTTP level, against a real daemon.</summary>
public sealed class DashboardHttpTests(ApiDaemonFixture fixture) : IClassFixture<ApiDaemonFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ApiDaemon Daemon => fixture.Daemon;

    [Theory]
    [InlineData("/")]
    [InlineData("/dashboard.js")]
    public async Task Without_a_session_the_page_and_its_script_give_only_the_sign_in_form(string path)
    {
        using var response = await Daemon.Anonymous.GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        body.ShouldContain("action=\"/login\"");
        body.ShouldNotContain("dashboard.js");
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("script-src 'self';");
    }

    [Fact]
    public async Task Signing_in_sets_an_http_only_strict_cookie_that_is_not_the_token_and_a_wrong_token_sets_none()
    {
        using var client = NoRedirects();
        using var wrong = await client.PostAsync("/login", Form("nope"), Ct);
        wrong.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        wrong.Headers.Location!.ToString().ShouldBe("/?failed=1");
        wrong.Headers.Contains("Set-Cookie").ShouldBeFalse();

        using var right = await client.PostAsync("/login", Form(ApiDaemon.Token), Ct);
        right.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var cookie = right.Headers.GetValues("Set-Cookie").Single();
        cookie.ShouldStartWith(DashboardSession.CookieName + "=");
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=strict", Case.Insensitive);
        cookie.ShouldNotContain(ApiDaemon.Token);
    }

    [Fact]
    public async Task The_cookie_reads_the_api_but_a_write_with_it_needs_the_dashboard_header()
    {
        var cookie = await SignInAsync();
        await Daemon.TriggerAsync("198.51.100.61");

        using var list = await Send(HttpMethod.Get, "/api/v1/active?key=198.51.100.61", cookie, header: false);
        list.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await list.Content.ReadAsStringAsync(Ct)).ShouldContain("198.51.100.61");

        // What a cross-site form could send: the cookie without the header.
        using var forged = await Send(HttpMethod.Delete, "/api/v1/active/198.51.100.61", cookie, header: false);
        await ApiDaemon.ShouldBeProblemAsync(forged, HttpStatusCode.Forbidden);
        Daemon.Home.Events().ShouldNotContain("delete 198.51.100.61");

        using var revoke = await Send(HttpMethod.Delete, "/api/v1/active/198.51.100.61", cookie, header: true);
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK, await revoke.Content.ReadAsStringAsync(Ct));
        Daemon.Home.Events().ShouldContain("delete 198.51.100.61");
    }

    [Fact]
    public async Task A_forged_cookie_is_not_a_session()
    {
        using var response = await Send(HttpMethod.Get, "/api/v1/active", DashboardSession.CookieName + "=" + ApiDaemon.Token, header: true);
        await ApiDaemon.ShouldBeProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    private HttpClient NoRedirects() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Daemon.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    private static FormUrlEncodedContent Form(string token) => new([new KeyValuePair<string, string>("token", token)]);

    private async Task<string> SignInAsync()
    {
        using var client = NoRedirects();
        using var response = await client.PostAsync("/login", Form(ApiDaemon.Token), Ct);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string cookie, bool header)
    {
        using var client = NoRedirects();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (header)
        {
            request.Headers.Add(DashboardSession.RequestHeader, "1");
        }

        return await client.SendAsync(request, Ct);
    }
}
