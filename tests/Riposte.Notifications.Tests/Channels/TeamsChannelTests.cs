using System.Globalization;
using System.Text.Json.Nodes;
using Riposte.Config.Settings;
using Riposte.Events;
using Riposte.Notifications.Infrastructure;

namespace Riposte.Notifications.Channels;

public sealed class TeamsChannelTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-03T10:00:00Z", CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_default_body_is_a_message_with_an_adaptive_card_of_the_events_as_facts()
    {
        using var receiver = new HttpReceiver();
        var events = Enumerable.Range(1, 12).Select(i => Event(i, "add", "info", $"192.0.2.{i}")).ToList();
        var body = await SendAsync(receiver, Target(receiver.Url), Message(events, "12 addresses blocked by firewall-drop600"));

        ((string)body["type"]!).ShouldBe("message");
        var attachment = body["attachments"]!.AsArray().ShouldHaveSingleItem()!;
        ((string)attachment["contentType"]!).ShouldBe("application/vnd.microsoft.card.adaptive");
        attachment.AsObject().ContainsKey("contentUrl").ShouldBeTrue();
        attachment["contentUrl"].ShouldBeNull();
        var card = attachment["content"]!;
        ((string)card["$schema"]!).ShouldBe("http://adaptivecards.io/schemas/adaptive-card.json");
        ((string)card["type"]!).ShouldBe("AdaptiveCard");
        ((string)card["version"]!).ShouldBe("1.4");

        var blocks = card["body"]!.AsArray();
        blocks.Select(b => (string)b!["type"]!).ShouldBe(["Container", "FactSet", "TextBlock"]);
        var title = blocks[0]!["items"]![0]!;
        ((string)title["type"]!).ShouldBe("TextBlock");
        ((string)title["text"]!).ShouldBe("Riposte: 12 addresses blocked by firewall-drop600");
        ((bool)title["wrap"]!).ShouldBeTrue();

        var facts = blocks[1]!["facts"]!.AsArray();
        facts.Count.ShouldBe(TeamsChannel.MaxFacts);
        ((string)facts[0]!["title"]!).ShouldBe("2026-12-03 10:00:01Z");
        ((string)facts[0]!["value"]!).ShouldBe(Grouping.DigestText.One(events[0]));
        ((string)facts[0]!["value"]!).ShouldBe("blocked 192.0.2.1 by firewall-drop600 (rule 5712)");
        ((string)facts[9]!["value"]!).ShouldContain("192.0.2.10 ");

        ((string)blocks[2]!["text"]!).ShouldBe("12 event(s) since 2026-12-03 10:00:01Z · teams");
        ((bool)blocks[2]!["isSubtle"]!).ShouldBeTrue();
        body.ToJsonString().ShouldNotContain("MessageCard");
    }

    [Fact]
    public async Task Message_card_format_posts_the_legacy_connector_card()
    {
        using var receiver = new HttpReceiver();
        var events = new[] { Event(1, "add", "info", "192.0.2.1"), Event(2, "failure", "error", "192.0.2.2", "exit 3") };
        var body = await SendAsync(receiver, Target(receiver.Url) with { Format = TeamsFormat.MessageCard }, Message(events, "2 events"));

        ((string)body["@type"]!).ShouldBe("MessageCard");
        ((string)body["@context"]!).ShouldBe("https://schema.org/extensions");
        ((string)body["summary"]!).ShouldBe("2 events");
        ((string)body["title"]!).ShouldBe("Riposte: 2 events");
        ((string)body["themeColor"]!).ShouldBe("D13438");
        body.AsObject().ContainsKey("attachments").ShouldBeFalse();
        var section = body["sections"]!.AsArray().ShouldHaveSingleItem()!;
        ((string)section["activityTitle"]!).ShouldBe("2 event(s) · teams");
        var facts = section["facts"]!.AsArray();
        facts.Select(f => (string)f!["name"]!).ShouldBe(["2026-12-03 10:00:01Z", "2026-12-03 10:00:02Z"]);
        ((string)facts[1]!["value"]!).ShouldBe("FAILED 192.0.2.2 by firewall-drop600 (rule 5712): exit 3");
    }

    [Theory]
    [InlineData("info", "accent", "0078D7")]
    [InlineData("warning", "warning", "FFB900")]
    [InlineData("error", "attention", "D13438")]
    public async Task The_worst_severity_sets_the_style_of_the_title(string severity, string style, string themeColor)
    {
        using var receiver = new HttpReceiver();
        var events = new[] { Event(1, "add", "info", "192.0.2.1"), Event(2, "x", severity, "192.0.2.2") };
        var adaptive = await SendAsync(receiver, Target(receiver.Url), Message(events, "2 events"));
        var legacy = await SendAsync(receiver, Target(receiver.Url) with { Format = TeamsFormat.MessageCard }, Message(events, "2 events"));

        var container = adaptive["attachments"]![0]!["content"]!["body"]![0]!;
        ((string)container["type"]!).ShouldBe("Container");
        ((string)container["style"]!).ShouldBe(style);
        ((string)legacy["themeColor"]!).ShouldBe(themeColor);
    }

    [Fact]
    public async Task Hostile_text_cannot_make_links_or_markup_and_long_text_is_cut()
    {
        using var receiver = new HttpReceiver();
        string hostile = "[Unblock here](https://evil.example/x) **APPROVED** _by SOC_ `code` <at>all</at>\r\n- item\n1. two";
        var events = new[]
        {
            Event(1, "failure", "error", "198.51.100.7", hostile),
            Event(2, "failure", "error", "- 198.51.100.8", new string('x', 5000)),
        };
        var body = await SendAsync(receiver, Target(receiver.Url), Message(events, "**2** [events](https://evil.example/)", "soc_[x](y)"));

        var card = body["attachments"]![0]!["content"]!["body"]!.AsArray();
        string title = (string)card[0]!["items"]![0]!["text"]!;
        string first = (string)card[1]!["facts"]![0]!["value"]!;
        string second = (string)card[1]!["facts"]![1]!["value"]!;
        string footer = (string)card[2]!["text"]!;
        foreach (string text in new[] { title, first, second, footer })
        {
            text.IndexOfAny(['*', '_', '[', ']', '`', '<', '>', '\r', '\n']).ShouldBe(-1, text);
            text.ShouldNotContain("://");
        }

        first.ShouldBe("FAILED 198.51.100.7 by firewall-drop600 (rule 5712): ［Unblock here］(https:\u200B//evil.example/x) ∗∗APPROVED∗∗ ＿by SOC＿ ˋcodeˋ ‹at›all‹/at›  - item 1. two");
        title.ShouldBe("Riposte: ∗∗2∗∗ ［events］(https:\u200B//evil.example/)");
        footer.ShouldEndWith("· soc＿［x］(y)");

        // The second starts with its verb, so its key's "- " is no list; a text of its own that starts like one is held off.
        second.Length.ShouldBe(TeamsChannel.MaxValueLength);
        second.ShouldEndWith("x…");
        TeamsChannel.Plain("- item", 100).ShouldBe("\u2060- item");
        TeamsChannel.Plain("12. item", 100).ShouldBe("\u206012. item");
        TeamsChannel.Plain("12.5 items", 100).ShouldBe("12.5 items");
        TeamsChannel.Plain("user \u202Egnp.exe\u2066x\u2069", 100).ShouldBe("user gnp.exex");

        // A cut never leaves half of a surrogate pair, which is not valid UTF-16.
        string cut = TeamsChannel.Plain("ab" + string.Concat(Enumerable.Repeat("😀", 10)), 6);
        cut.ShouldBe("ab😀…");
        body.ToJsonString().Length.ShouldBeLessThan(8000);
    }

    [Fact]
    public async Task The_legacy_card_is_made_plain_too()
    {
        using var receiver = new HttpReceiver();
        var events = new[] { Event(1, "failure", "error", "198.51.100.7", "<a href=\"https://evil.example\">click</a> [x](y)") };
        var body = await SendAsync(receiver, Target(receiver.Url) with { Format = TeamsFormat.MessageCard }, Message(events, "1 event"));

        string value = (string)body["sections"]![0]!["facts"]![0]!["value"]!;
        value.ShouldBe("FAILED 198.51.100.7 by firewall-drop600 (rule 5712): ‹a href=\"https:\u200B//evil.example\"›click‹/a› ［x］(y)");
    }

    [Fact]
    public async Task Delivery_posts_the_adaptive_card_for_a_teams_target_from_the_audit_trail()
    {
        using var teams = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        var (service, run, stop) = audit.Deliver(Audit.Webhook(teams.Url, NotificationType.Teams) with { Name = "teams" });
        await using (service)
        {
            await audit.AddAsync("add", key: "198.51.100.*x*");
            await Poll.UntilAsync(() => !teams.Accepted.IsEmpty, "teams");
            await stop.CancelAsync();
            await run;
        }

        var card = teams.Accepted.First()["attachments"]![0]!["content"]!;
        ((string)card["type"]!).ShouldBe("AdaptiveCard");
        ((string)card["body"]![0]!["items"]![0]!["text"]!).ShouldContain("198.51.100.∗x∗");
    }

    private static async Task<JsonNode> SendAsync(HttpReceiver receiver, NotificationTarget target, NotificationMessage message)
    {
        int before = receiver.Accepted.Count;
        await using var channel = new TeamsChannel(target, TimeSpan.FromSeconds(5));
        await channel.SendAsync(message, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => receiver.Accepted.Count > before, "the card");
        return receiver.Accepted.Last();
    }

    private static NotificationTarget Target(Uri url) => new() { Name = "teams", Type = NotificationType.Teams, Url = url };

    private static NotificationMessage Message(IReadOnlyList<ResponseEvent> events, string summary, string target = "teams") =>
        new(target, events, events.Count, 0, summary, events[0].At);

    private static ResponseEvent Event(int id, string kind, string severity, string key, string? detail = null) =>
        new(id, T0.AddSeconds(id), kind, severity, null, "firewall-drop600", key + "|firewall-drop600", [key], "firewall-drop", "1700000000.1",
            "5712", 10, 0, 3, detail, "test");
}
