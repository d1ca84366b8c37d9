using System.Text;
using static Riposte.Config.DiagnosticSeverity;
using static Riposte.Config.Settings.SettingsTestHelpers;

namespace Riposte.Config.Settings;

/// <summary>Hostile riposte.json content gives positioned errors, never an exception.</summary>
public sealed class SettingsRobustnessTests
{
    private static IReadOnlyList<ConfigDiagnostic> ReadBytes(byte[] bytes) => RiposteSettingsReader.Read(bytes, "riposte.json").Diagnostics;

    [Fact]
    public void Output_limit_bytes_beyond_int_says_must_be_at_most() =>
        Single("""{ "execution": { "output_limit_bytes": 99999999999 } }""")
            .ShouldBeAt(Error, 1, 40, "execution.output_limit_bytes must be at most 2147483647, not 99999999999");

    [Fact]
    public void Output_limit_bytes_beyond_long_says_must_be_at_most() =>
        Single("""{ "execution": { "output_limit_bytes": 999999999999999999999999 } }""")
            .ShouldBeAt(Error, 1, 40, "execution.output_limit_bytes must be at most 2147483647, not 999999999999999999999999");

    [Fact]
    public void A_huge_negative_integer_says_must_not_be_negative() =>
        Single("""{ "execution": { "output_limit_bytes": -999999999999999999999999 } }""")
            .ShouldBeAt(Error, 1, 40, "execution.output_limit_bytes must not be negative, not -999999999999999999999999");

    [Fact]
    public void Max_parallel_beyond_its_range_keeps_the_range_message() =>
        Single("""{ "execution": { "max_parallel": 99999999999 } }""")
            .ShouldBeAt(Error, 1, 34, $"execution.max_parallel must be between {ExecutionSettings.MinParallel} and {ExecutionSettings.MaxParallelLimit}, not 99999999999");

    [Fact]
    public void A_duration_in_seconds_beyond_long_is_too_long() =>
        Single("""{ "execution": { "run_timeout": 999999999999999999999999 } }""")
            .ShouldBeAt(Error, 1, 33, "execution.run_timeout: 999999999999999999999999 seconds is too long a duration");

    [Fact]
    public void A_fractional_number_is_still_not_a_whole_number() =>
        Single("""{ "execution": { "output_limit_bytes": 1.5 } }""")
            .ShouldBeAt(Error, 1, 40, "execution.output_limit_bytes must be a whole number, not 1.5");

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    public void Invalid_utf8_in_a_string_is_a_positioned_error(byte[] bad)
    {
        var bytes = Encoding.UTF8.GetBytes("{\n  \"state\": { \"path\": \"a").Concat(bad).Concat("b\" }\n}\n"u8.ToArray()).ToArray();

        var diagnostic = ReadBytes(bytes).ShouldHaveSingleItem();

        diagnostic.ShouldBeAt(Error, 2, 24, "invalid UTF-8");
    }

    [Fact]
    public void Invalid_utf8_in_a_property_name_is_a_positioned_error()
    {
        var bytes = "{\n  \"st"u8.ToArray().Concat(new byte[] { 0xFE }).Concat("ate\": {}\n}\n"u8.ToArray()).ToArray();

        ReadBytes(bytes).ShouldHaveSingleItem().ShouldBeAt(Error, 2, 6, "invalid UTF-8");
    }

    [Theory]
    [InlineData("""{ "state": { "path": "\ud800" } }""")]
    [InlineData("""{ "state": { "path": "x\udc00y" } }""")]
    [InlineData("""{ "\ud800": 1 }""")]
    public void A_lone_surrogate_escape_is_a_positioned_error(string json)
    {
        var diagnostic = Diagnostics(json).ShouldHaveSingleItem();

        diagnostic.Severity.ShouldBe(Error);
        diagnostic.Position.Line.ShouldBe(1);
        diagnostic.Position.Column.ShouldBeGreaterThan(1);
        diagnostic.Message.ShouldContain("surrogate");
    }

    [Fact]
    public void Deep_nesting_is_a_positioned_error()
    {
        var json = "{\"x\":" + new string('[', 100_000) + new string(']', 100_000) + "}";

        var diagnostic = Diagnostics(json).ShouldHaveSingleItem();

        diagnostic.Severity.ShouldBe(Error);
        diagnostic.Message.ShouldContain("depth");
        diagnostic.Position.Line.ShouldBe(1);
    }
}
