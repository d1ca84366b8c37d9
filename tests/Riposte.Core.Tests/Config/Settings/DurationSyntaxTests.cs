namespace Riposte.Config.Settings;

using static SettingsTestHelpers;

public sealed class DurationSyntaxTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "0s", TimeSpan.Zero },
        { "500ms", TimeSpan.FromMilliseconds(500) },
        { "90s", TimeSpan.FromSeconds(90) },
        { "10m", TimeSpan.FromMinutes(10) },
        { "1h30m", TimeSpan.FromMinutes(90) },
        { "7d", TimeSpan.FromDays(7) },
        { "1d2h3m4s5ms", new TimeSpan(1, 2, 3, 4, 5) },
        { "1m30s", TimeSpan.FromSeconds(90) },
        { "36h", TimeSpan.FromHours(36) },
        { "0010s", TimeSpan.FromSeconds(10) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses(string text, TimeSpan expected)
    {
        DurationSyntax.TryParse(text, out var value, out string? error).ShouldBeTrue(error);
        value.ShouldBe(expected);
    }

    [Theory]
    [InlineData("", "empty duration")]
    [InlineData("-5m", "is negative")]
    [InlineData("90", "has no unit")]
    [InlineData("10x", "unknown unit \"x\"")]
    [InlineData("10M", "is not a duration")]
    [InlineData("1.5h", "is not a duration")]
    [InlineData("1h 30m", "is not a duration")]
    [InlineData(" 1h", "is not a duration")]
    [InlineData("h", "is not a duration")]
    [InlineData("30m1h", "largest to smallest")]
    [InlineData("1m1m", "largest to smallest")]
    [InlineData("10min", "unknown unit \"min\"")]
    [InlineData("99999999999999999999s", "too long")]
    [InlineData("20000000d", "too long")]
    public void Rejects(string text, string fragment)
    {
        DurationSyntax.TryParse(text, out _, out string? error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain(fragment);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(90_000, "1m30s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(604_800_000, "7d")]
    [InlineData(-60_000, "-1m")]
    public void Formats(long milliseconds, string expected)
    {
        string text = DurationSyntax.Format(TimeSpan.FromMilliseconds(milliseconds));
        text.ShouldBe(expected);
        if (milliseconds >= 0)
        {
            DurationSyntax.TryParse(text, out var back, out _).ShouldBeTrue();
            back.ShouldBe(TimeSpan.FromMilliseconds(milliseconds));
        }
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("0", 0)]
    [InlineData("\"1m\"", 60)]
    [InlineData("\"1500ms\"", 1.5)]
    public void Json_numbers_are_seconds(string json, double seconds) =>
        Load($$"""{ "notifications": [ { "name": "a", "url": "https://h.example/", "min_interval": {{json}} } ] }""")
            .Notifications[0].MinInterval.ShouldBe(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData("-5", "execution.run_timeout: -5 is negative")]
    [InlineData("1.5", "execution.run_timeout: 1.5 is not a whole number of seconds")]
    [InlineData("\"-5m\"", "execution.run_timeout: \"-5m\" is negative")]
    [InlineData("\"soon\"", "execution.run_timeout: \"soon\" is not a duration")]
    [InlineData("0", "execution.run_timeout must be longer than zero")]
    [InlineData("\"0s\"", "execution.run_timeout must be longer than zero")]
    [InlineData("true", "execution.run_timeout must be a duration (seconds, or a string like \"10m\"), not a boolean")]
    [InlineData("99999999999999", "too long")]
    public void Bad_durations_are_errors_at_the_value(string json, string message) =>
        Single($$"""
            {
              "execution": {
                "run_timeout": {{json}}
              }
            }
            """).ShouldBeAt(DiagnosticSeverity.Error, 3, 20, message);

    [Fact]
    public void Every_duration_setting_is_read()
    {
        var s = Load("""
            {
              "execution": { "control_line_timeout": "5s", "run_timeout": "1h" },
              "repeated_offenders": { "mode": "decay", "forgive_after": "2d" },
              "defaults": { "escalation": ["10m", 3600, "1d"] },
              "fleet": { "role": "manager", "nats_url": "nats://127.0.0.1:4222", "command_ttl": "12h" }
            }
            """);
        s.Execution.ControlLineTimeout.ShouldBe(TimeSpan.FromSeconds(5));
        s.Execution.RunTimeout.ShouldBe(TimeSpan.FromHours(1));
        s.RepeatedOffenders.ForgiveAfter.ShouldBe(TimeSpan.FromDays(2));
        s.Defaults.Escalation.ShouldBe([TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromDays(1)]);
        s.Fleet.CommandTtl.ShouldBe(TimeSpan.FromHours(12));
    }

    [Fact]
    public void Escalation_steps_are_checked_one_by_one()
    {
        var diagnostics = Diagnostics("""
            {
              "responses": {
                "firewall-drop": { "escalation": ["10m", "0s", "x", -1] }
              }
            }
            """);
        diagnostics.Count.ShouldBe(3);
        diagnostics[0].ShouldBeAt(DiagnosticSeverity.Error, 3, 46, "responses.firewall-drop.escalation[1] must be longer than zero");
        diagnostics[1].ShouldBeAt(DiagnosticSeverity.Error, 3, 52, "responses.firewall-drop.escalation[2]: \"x\" is not a duration");
        diagnostics[2].ShouldBeAt(DiagnosticSeverity.Error, 3, 57, "responses.firewall-drop.escalation[3]: -1 is negative");
    }

    [Fact]
    public void Empty_escalation_means_no_escalation() =>
        Load("""{ "defaults": { "escalation": [] } }""").Defaults.Escalation.ShouldNotBeNull().ShouldBeEmpty();
}
