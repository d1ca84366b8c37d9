using Microsoft.Playwright;
using Riposte.Cli.Api;

namespace Riposte.Cli.Dashboard;

/// <summary>The dashboard in a real headless browser (Debian's chromium) against a real daemon.</summary>
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signs_in_with_the_token_shows_an_active_response_from_a_test_alert_and_revoking_it_runs_the_delete()
    {
        Assert.SkipWhen(!File.Exists(Chromium), "chromium is not installed (.ci/run installs Debian's chromium for this test)");
        await using var daemon = await ApiDaemon.StartAsync();
        daemon.Home.AppendAlert("203.0.113.77", "1700000000.77");
        await TestHome.WaitForAsync(() => daemon.Home.Events().Contains("add 203.0.113.77"), "the alert's add");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        // A failed load is the browser's note about a status code (the sign-in form is a 401 by design); anything else
        // the console calls an error is the page's own.
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) errors.Add(m.Text); };

        // A stranger sees only the sign-in form, and a wrong token is refused.
        var first = await page.GotoAsync(daemon.BaseAddress.ToString());
        first!.Status.ShouldBe(401);
        await page.FillAsync("#token", "not-the-token");
        await page.ClickAsync("#sign-in");
        await page.WaitForSelectorAsync("#login-error:not([hidden])");
        (await page.Locator("#active").CountAsync()).ShouldBe(0);

        await page.FillAsync("#token", ApiDaemon.Token);
        await page.ClickAsync("#sign-in");
        var row = page.Locator("#active tbody tr", new PageLocatorOptions { HasText = "203.0.113.77" });
        await row.WaitForAsync();
        (await row.Locator("td").Nth(0).InnerTextAsync()).ShouldBe("firewall-drop600");
        (await row.Locator(".left").InnerTextAsync()).ShouldMatch(@"^\d+m \d+s$");
        await page.Locator("#live.on").WaitForAsync();
        await page.Locator("#timeline li[data-event='add']", new PageLocatorOptions { HasText = "203.0.113.77" }).WaitForAsync();
        (await page.Locator("#by-rule").InnerTextAsync()).ShouldContain("rule 5712");

        // A second address arrives while the page is open: the live stream brings it in without a reload.
        daemon.Home.AppendAlert("203.0.113.78", "1700000000.78");
        await page.Locator("#active tbody tr", new PageLocatorOptions { HasText = "203.0.113.78" }).WaitForAsync();
        await ScreenshotAsync(page);

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await row.Locator("button.revoke").ClickAsync();
        await TestHome.WaitForAsync(() => daemon.Home.Events().Contains("delete 203.0.113.77"), "the revoke's delete program run");
        await page.Locator("#active tbody tr", new PageLocatorOptions { HasText = "203.0.113.77" }).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        await page.Locator("#timeline li[data-event='revoke']", new PageLocatorOptions { HasText = "203.0.113.77" }).WaitForAsync();
        (await page.Locator("#active tbody tr").CountAsync()).ShouldBe(1, "the other address stays blocked");
        errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_explain_box_shows_what_the_daemon_would_do_with_an_alert()
    {
        Assert.SkipWhen(!File.Exists(Chromium), "chromium is not installed (.ci/run installs Debian's chromium for this test)");
        await using var daemon = await ApiDaemon.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(daemon.BaseAddress.ToString());
        await page.FillAsync("#token", ApiDaemon.Token);
        await page.ClickAsync("#sign-in");
        await page.Locator("#live.on").WaitForAsync();

        await page.FillAsync("#explain-input", """{"rule":{"level":10,"id":"5712"},"id":"1.2","data":{"srcip":"198.51.100.4"}}""");
        await page.ClickAsync("#explain-form button");

        await page.Locator("#explain-output", new PageLocatorOptions { HasText = "firewall-drop" }).WaitForAsync();
        (await page.Locator("#explain-output").InnerTextAsync()).ShouldContain("198.51.100.4");
    }

    /// <summary>Keeps the picture the README shows current: written to docs/ when RIPOSTE_WRITE_SCREENSHOT names the repo.</summary>
    private static async Task ScreenshotAsync(IPage page)
    {
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        bytes.Length.ShouldBeGreaterThan(10_000);
        if (Environment.GetEnvironmentVariable("RIPOSTE_WRITE_SCREENSHOT") is { Length: > 0 } repo)
        {
            await File.WriteAllBytesAsync(Path.Combine(repo, "docs", "dashboard.png"), bytes, Ct);
        }
    }
}
