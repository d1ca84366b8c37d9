using System.Text;

namespace Riposte.Protocol.Execd;

public sealed class ExecdMessageTests
{
    private static string ErrorFor(string datagram)
    {
        ExecdMessage.TryParse(Encoding.UTF8.GetBytes(datagram), out var message, out var error).ShouldBeFalse();
        message.ShouldBeNull();
        return error.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("unknown", "(1315): Invalid JSON message: 'unknown'")]
    [InlineData("{}", "(1316): Invalid AR command: '{}'")]
    [InlineData("""{"command":1}""", """(1316): Invalid AR command: '{"command":1}'""")]
    public void Ordinary_datagrams_keep_wazuhs_text(string datagram, string error) => ErrorFor(datagram).ShouldBe(error);

    // The error is logged and audited: a datagram must not be able to start a line of its own there.
    [Theory]
    [InlineData("x\n2026/01/01 00:00:00 active-response/bin/firewall-drop: forged")]
    [InlineData("x\r\n2026/01/01 00:00:00 wazuh-execd: forged")]
    [InlineData("{\"command\":1,\n\"x\":\"2026/01/01 00:00:00 forged\"}")]
    [InlineData("a\0b\u001b[2Kc\u0085d\u2028e")]
    public void Control_characters_in_the_datagram_are_escaped(string datagram)
    {
        var error = ErrorFor(datagram);

        error.ShouldNotContain('\n');
        error.ShouldNotContain('\r');
        error.ShouldNotContain('\u2028');
        error.Any(c => char.IsControl(c)).ShouldBeFalse(error);
        error.ShouldStartWith(datagram.StartsWith('{') ? "(1316): Invalid AR command: '" : "(1315): Invalid JSON message: '");
        error.ShouldEndWith("'");
    }

    [Fact]
    public void A_newline_is_shown_as_an_escape()
    {
        ErrorFor("not\njson").ShouldBe("(1315): Invalid JSON message: 'not\\njson'");
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(65_507)]
    public void Long_datagrams_are_cut(int length)
    {
        var invalid = ErrorFor(new string('x', length));
        var noCommand = ErrorFor("{\"x\":\"" + new string('y', length) + "\"}");

        invalid.Length.ShouldBeLessThan(ExecdMessage.MaxEchoed + 64);
        invalid.ShouldEndWith("...'");
        noCommand.Length.ShouldBeLessThan(ExecdMessage.MaxEchoed + 64);
        noCommand.ShouldStartWith("(1316): Invalid AR command: '{\"x\":\"yyy");
    }
}
