using Microsoft.Playwright;
using Riposte.Cli.Api;
using Riposte.Fleet;
using Riposte.Nats;

namespace Riposte.Cli.Dashboard;

/// <summary>A manager's dashboard in a real headless browser: the agents, their entries, and revoking on an agent.</summary>
public sealed class DashboardFleetBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private const string LocalBlock =
        "<active-response><command>firewall-drop</command><location>local</location><rules_id>101</rules_id><timeout>600</timeout></active-response>";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Revoking_an_agents_entry_from_the_managers_page_runs_the_delete_on_that_agent()
    {
        Assert.SkipWhen(!File.Exists(Chromium), "chromium is not installed (.ci/run installs Debian's chromium for this test)");
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var setup = await ManagerWithApi.StartAsync(LocalBlock, Ct);
        setup.StartAgent();
        var (fleet, home, port) = (setup.Fleet, setup.AgentHome, setup.Port);
        fleet.Alert("101", "001", "192.0.2.91", "8.1");
        await TestHome.WaitForAsync(() => FleetHomes.Adds(home, "192.0.2.91") == 1, "the agent's add", 60_000);
        // The manager has the agent's outcome before the page opens.
        await TestHome.WaitForAsync(() => setup.Client.GetStringAsync("/api/v1/history?agent=001&event=add", Ct).Result.Contains("192.0.2.91", StringComparison.Ordinal),
            "the agent's add on the manager", 60_000);


        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) errors.Add(m.Text); };
        await page.GotoAsync($"http://127.0.0.1:{port}/");
        await page.FillAsync("#token", ApiDaemon.Token);
        await page.ClickAsync("#sign-in");

        await page.Locator("#agents tbody tr[data-agent='001']", new PageLocatorOptions { HasText = "active" }).WaitForAsync();
        var row = page.Locator("#active tbody tr", new PageLocatorOptions { HasText = "192.0.2.91" });
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        (await row.Locator("td").Nth(2).InnerTextAsync()).ShouldBe("001");
        // The add happened before the page opened: the timeline has it from the agents' history, not the live stream.
        await page.Locator("#timeline li[data-event='add']", new PageLocatorOptions { HasText = "agent 001" }).WaitForAsync();
        await page.Locator("#live.on").WaitForAsync();

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await row.Locator("button.revoke").ClickAsync();
        await TestHome.WaitForAsync(() => home.Events().Contains("delete 192.0.2.91"), "the revoke's delete on the agent", 60_000);
        await row.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached, Timeout = 60_000 });
        home.Events().Count(e => e == "delete 192.0.2.91").ShouldBe(1);
        errors.ShouldBeEmpty();
    }
}
