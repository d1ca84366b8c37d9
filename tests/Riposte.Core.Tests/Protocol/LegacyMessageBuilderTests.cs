using Riposte.Alerts;
using Riposte.Config;

namespace Riposte.Protocol;

public sealed class LegacyMessageBuilderTests
{
    [Fact]
    public void Legacy_string_E1()
    {
        var config = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]).Config!;
        var alert = AlertParser.Parse(Fixtures.AlertLines[1]);

        var body = LegacyMessageBuilder.Build(config.ActiveResponses[0], alert);

        (ArQueueHeader.Build(ArLocation.Local, "001") + body).ShouldBe(Fixtures.Wire("E1"));
    }

    [Fact]
    public void Unit_test_vector_E2()
    {
        var alert = AlertParser.Parse("""{"rule":{"level":7,"id":"554"},"agent":{"id":"005","name":"ubuntu"},"id":"160987966.80794","decoder":{"name":"syscheck_new_entry"},"syscheck":{"path":"/home/vagrant/file/n44.txt"},"location":"syscheck"}""");
        var response = new ActiveResponseDefinition
        {
            BlockIndex = 0,
            Position = default,
            Status = ResponseStatus.Active,
            Name = "restart-wazuh0",
            Command = new CommandDefinition("restart-wazuh", "restart-wazuh", false, null, default),
            Location = ArLocation.All,
        };

        (ArQueueHeader.Build(response.Location, "005") + LegacyMessageBuilder.Build(response, alert)).ShouldBe(Fixtures.Wire("E2"));
    }

    [Fact]
    public void Shell_escaping_of_file_and_extra_args()
    {
        LegacyMessageBuilder.Build("c0", "a;b $(x)", null, "::ffff:1.2.3.4".Replace("::ffff:", "", StringComparison.Ordinal), "1.2", 5, "loc", "/tmp/a b&c")
            .ShouldBe("c0 - 1.2.3.4 1.2 5 loc /tmp/a b\\&c a\\;b \\$\\(x\\)");
    }

    [Theory]
    [InlineData("random <arg1> {arg2}", "random \\<arg1\\> \\{arg2\\}")]
    [InlineData("already\\;escaped", "already\\;escaped")]
    [InlineData("plain", "plain")]
    public void Shell_escape(string input, string expected)
    {
        ShellEscape.Escape(input).ShouldBe(expected);
    }

    [Fact]
    public void Every_special_character_is_escaped()
    {
        const string special = "\"'\t;`><|#*[]{}&$!:()\\";

        ShellEscape.Escape(special).ShouldBe(string.Concat(special.Select(c => "\\" + c)));
    }

    [Fact]
    public void Long_messages_are_truncated_to_the_analysisd_buffer()
    {
        LegacyMessageBuilder.Build("c0", new string('a', 5000), null, null, "1.1", 1, "l", null).Length.ShouldBe(LegacyMessageBuilder.MaxBytes);
    }
}
