namespace Riposte.Config.Settings;

/// <summary>What a SIGHUP reload compares: the settings file read twice, with and without a change.</summary>
public sealed class SettingsEqualityTests
{
    private static readonly string ExampleText = File.ReadAllText(Path.Combine(SettingsTestHelpers.RepositoryRoot(), "examples", "riposte.json"));

    private static RiposteSettings Read(string text) => RiposteSettingsReader.ReadText(text).Settings.ShouldNotBeNull();

    private static string Changed(string from, string to)
    {
        ExampleText.ShouldContain(from);
        return ExampleText.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_file_read_twice_is_the_same_in_every_section_and_every_channel()
    {
        var first = Read(ExampleText);
        var second = Read(ExampleText);
        first.Equals(second).ShouldBeFalse("records holding lists compare by reference, which is why this exists");

        SettingsEquality.ChangedSections(first, second).ShouldBeEmpty();
        first.Notifications.Zip(second.Notifications).ShouldAllBe(p => SettingsEquality.Same(p.First, p.Second));
    }

    [Fact]
    public void A_changed_key_names_its_section_and_a_changed_channel_is_not_the_same()
    {
        var before = Read(ExampleText);
        var after = Read(Changed("\"max_parallel\": 16", "\"max_parallel\": 8")
            .Replace("Bearer replace-with-a-real-token", "Bearer another", StringComparison.Ordinal)
            .Replace("\"forgive_after\": \"7d\"", "\"forgive_after\": \"6d\"", StringComparison.Ordinal));

        SettingsEquality.ChangedSections(before, after, "notifications").ShouldBe(["execution", "repeated_offenders"]);
        SettingsEquality.ChangedSections(before, after).ShouldBe(["execution", "repeated_offenders", "notifications"]);
        SettingsEquality.Same(before.Notifications[0], after.Notifications[0]).ShouldBeTrue();
        SettingsEquality.Same(before.Notifications[1], after.Notifications[1]).ShouldBeFalse("a header changed");
    }

    [Theory]
    [InlineData("\"events\": [\"add\", \"delete\"]", "\"events\": [\"add\"]")]
    [InlineData("https://siem.example.com/api/riposte", "https://user:secret@siem.example.com/api/riposte")]
    [InlineData("https://siem.example.com/api/riposte", "https://siem.example.com/api/riposte#other")]
    [InlineData("\"headers\": { \"Authorization\": \"Bearer replace-with-a-real-token\" }",
        "\"headers\": { \"Authorization\": \"Bearer replace-with-a-real-token\", \"X-Extra\": \"1\" }")]
    public void Any_change_to_a_channel_counts(string from, string to)
    {
        var before = Read(ExampleText).Notifications[1];
        var after = Read(Changed(from, to)).Notifications[1];
        SettingsEquality.Same(before, after).ShouldBeFalse();
    }
}
