using System.Text;
using System.Text.Json;
using Riposte.Events;

namespace Riposte.Cli.Events;

/// <summary>The shape of an events file line, for what a real run does not easily produce.</summary>
public sealed class EventsFileLineTests
{
    private static ResponseEvent Event(string detail) => new(7, new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero), "failure", "error", null,
        "firewall-drop600", null, [], "active-response/bin/firewall-drop", null, null, null, null, 0, detail, "cli");

    [Fact]
    public void A_long_detail_is_shortened_so_logcollector_never_cuts_the_line()
    {
        var line = EventsFileLine.Format(Event(new string('x', 100_000) + "\n"));
        line.Length.ShouldBeLessThan(8192);
        line[^1].ShouldBe((byte)'\n');
        Encoding.UTF8.GetString(line).Count(c => c == '\n').ShouldBe(1, "a newline in a detail is escaped, never a line break");
        var riposte = JsonDocument.Parse(line).RootElement.GetProperty("riposte");
        riposte.GetProperty("detail").GetString()!.Length.ShouldBe(EventsFileLine.MaxDetail + 3);
    }

    [Fact]
    public void Non_ascii_is_written_as_utf8_without_a_byte_order_mark()
    {
        var line = EventsFileLine.Format(Event("utilisateur « émile » refusé"));
        line[0].ShouldBe((byte)'{');
        Encoding.UTF8.GetString(line).ShouldContain("« émile »");
    }
}
