namespace Riposte.Safety;

public sealed class DisplayTextTests
{
    [Theory]
    [InlineData("1.2.3.4", "'1.2.3.4'")]
    [InlineData("a\nb\rc\td", "'a\\nb\\rc\\td'")]
    [InlineData("a\0b\u001b", "'a\\x00b\\x1b'")]
    [InlineData("it's \\", "'it\\'s \\\\'")]
    [InlineData("é\u2028", "'\\u00e9\\u2028'")]
    public void Values_are_quoted_on_one_printable_line(string value, string shown) => DisplayText.Quote(value).ShouldBe(shown);

    [Fact]
    public void Long_values_are_elided() =>
        DisplayText.Quote(new string('a', 1000)).ShouldBe("'" + new string('a', DisplayText.MaxShown) + "...'");

    [Fact]
    public void The_bound_can_be_chosen()
    {
        DisplayText.Quote(new string('a', 300), 256).ShouldBe("'" + new string('a', 256) + "...'");
        DisplayText.Quote("a\nb", 256).ShouldBe("'a\\nb'");
        DisplayText.Quote("abc", 3).ShouldBe("'abc'");
    }
}
