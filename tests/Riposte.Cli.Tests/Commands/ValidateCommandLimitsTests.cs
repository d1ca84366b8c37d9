using System.Text;

namespace Riposte.Cli.Commands;

/// <summary><c>validate</c> on hostile input: special files, floods, overflow and invalid UTF-8 give findings and exit 2.</summary>
public sealed class ValidateCommandLimitsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("riposte-validate-");

    public void Dispose() => _dir.Delete(true);

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public async Task Dev_zero_is_refused()
    {
        var result = await CliRunner.RunAsync(["validate", "--config", "/dev/zero"]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldBe(["/dev/zero:0:0: error (1226): Error reading XML file '/dev/zero': not a regular file (a character device)."]);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_blocking()
    {
        var fifo = Path.Combine(_dir.FullName, "ossec.conf");
        SpecialFiles.MakeFifo(fifo);

        var result = await SpecialFiles.ReadWithHangGuardAsync(fifo, () => CliRunner.RunAsync(["validate", "--config", fifo]).GetAwaiter().GetResult());

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldBe([$"{fifo}:0:0: error (1226): Error reading XML file '{fifo}': not a regular file (a FIFO)."]);
    }

    [Fact]
    public async Task A_level_of_4294967295_is_error_1235()
    {
        var conf = Write("ossec.conf", Encoding.UTF8.GetBytes(Fixtures.Conf(Fixtures.FirewallDropCommand +
            "\n<active-response>\n  <command>firewall-drop</command>\n  <location>local</location>\n  <level>4294967295</level>\n</active-response>")));

        var result = await CliRunner.RunAsync(["validate", "--config", conf]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldHaveSingleItem().ShouldMatch($@"^{System.Text.RegularExpressions.Regex.Escape(conf)}:\d+:3: error \(1235\): Invalid value for element 'level': 4294967295\.$");
    }

    [Fact]
    public async Task Deep_nesting_is_refused_with_a_position()
    {
        var conf = Write("deep.conf", Encoding.UTF8.GetBytes("<ossec_config>" + string.Concat(Enumerable.Repeat("<a>", 80_000)) + "</ossec_config>"));

        var result = await CliRunner.RunAsync(["validate", "--config", conf]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldBe([$"{conf}:1:{15 + (63 * 3)}: error (1226): Error reading XML file '{conf}': elements are nested more than 64 deep."]);
    }

    [Fact]
    public async Task Settings_with_invalid_utf8_are_a_positioned_error()
    {
        var settings = Write("riposte.json", [.. "{\n  \"home\": \"/var/"u8, 0xFF, 0xFE, .. "ossec\"\n}\n"u8]);

        var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.ManagerConfig, "--settings", settings]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldContain($"{settings}:2:17: error: invalid UTF-8 (byte 0xFF); the file must be UTF-8 text");
    }

    [Fact]
    public async Task Settings_output_limit_overflow_says_at_most()
    {
        var settings = Write("riposte.json", "{ \"execution\": { \"output_limit_bytes\": 99999999999 } }\n"u8.ToArray());

        var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.ManagerConfig, "--settings", settings]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldContain($"{settings}:1:40: error: execution.output_limit_bytes must be at most 2147483647, not 99999999999");
    }

    [Fact]
    public async Task Settings_on_dev_zero_are_refused()
    {
        var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.ManagerConfig, "--settings", "/dev/zero"]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldContain("/dev/zero:0:0: error: cannot read the settings file: not a regular file (a character device)");
    }
}
