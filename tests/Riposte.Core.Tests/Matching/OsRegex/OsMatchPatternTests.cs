namespace Riposte.Matching.OsRegex;

/// <summary>OSMatch behaviour as used for hostname and IPv6 entries of a <c>&lt;white_list&gt;</c>.</summary>
public sealed class OsMatchPatternTests
{
    public static TheoryData<string, string, bool> WhiteListEntries => new()
    {
        // Substring unless anchored, ASCII case-insensitive.
        { "server.example.com", "SERVER.Example.COM", true },
        { "example.com", "host.example.com", true },
        { "example.com", "example.org", false },
        { "^host", "host.example.com", true },
        { "^host", "myhost.example.com", false },
        { "example.com$", "host.example.com", true },
        { "example.com$", "example.com.evil.net", false },
        { "^host.example.com$", "host.example.com", true },
        { "^host.example.com$", "host.example.com.", false },
        { "^host.example.com$", "a.host.example.com", false },
        { "web1|web2", "web2.example.com", true },
        { "web1|web2", "db1.example.com", false },

        // No metacharacters besides the anchors and '|': dots and backslashes are literal.
        { "a.b", "axb", false },
        { "a.b", "a.b", true },
        { @"a\.b", "a.b", false },
        { @"a\.b", @"xa\.by", true },
        { "a+", "aa", false },
        { "a*", "a*", true },

        // IPv6 entries are plain text too.
        { "fe80::1", "fe80::1%eth0", true },
        { "::1", "fe80::1", true },
        { "^::1$", "::1", true },
        { "^::1$", "fe80::1", false },
        { "2001:DB8::", "2001:db8::10", true },
    };

    [Theory]
    [MemberData(nameof(WhiteListEntries))]
    public void White_list_entries_match_like_analysisd(string pattern, string input, bool expected) =>
        Compile(pattern).IsMatch(input).ShouldBe(expected);

    [Fact]
    public void Leading_bang_negates_the_whole_pattern()
    {
        var negated = Compile("!test1|test2");
        negated.IsNegated.ShouldBeTrue();
        negated.IsMatch("test1").ShouldBeFalse();
        negated.IsMatch("test2").ShouldBeFalse();
        negated.IsMatch("test3").ShouldBeTrue();

        // Only a leading '!' is special.
        var literal = Compile("a!b");
        literal.IsNegated.ShouldBeFalse();
        literal.IsMatch("a!b").ShouldBeTrue();
        Compile("!!a").IsMatch("!a").ShouldBeFalse();
        Compile("!!a").IsMatch("a").ShouldBeTrue();
    }

    [Fact]
    public void Empty_and_lone_anchor_alternatives()
    {
        Compile("").IsMatch("anything").ShouldBeTrue();
        Compile("").IsMatch("").ShouldBeTrue();
        Compile("a|").IsMatch("zzz").ShouldBeTrue();
        Compile("|a").IsMatch("zzz").ShouldBeTrue();
        Compile("^").IsMatch("zzz").ShouldBeTrue();
        Compile("$").IsMatch("zzz").ShouldBeTrue();
        Compile("^$").IsMatch("").ShouldBeTrue();
        Compile("^$").IsMatch("zzz").ShouldBeFalse();
        Compile("!").IsMatch("zzz").ShouldBeFalse();
        Compile("!").IsMatch("").ShouldBeFalse();
        Compile("!a|").IsMatch("b").ShouldBeFalse();
        Compile("!^$").IsMatch("zzz").ShouldBeTrue();
    }

    [Fact]
    public void Only_ascii_letters_are_folded()
    {
        Compile("café").IsMatch("CAFé").ShouldBeTrue();
        Compile("CAFÉ").IsMatch("café").ShouldBeFalse();
        Compile("i").IsMatch("\u0131").ShouldBeFalse();
        Compile("^s$").IsMatch("\u017F").ShouldBeFalse();
        Compile("k$").IsMatch("\u212A").ShouldBeFalse();
        Compile("^caf").IsMatch("CAFÉ").ShouldBeTrue();
        Compile("é$").IsMatch("CAFé").ShouldBeTrue();
    }

    [Fact]
    public void Input_ends_at_the_first_nul_like_a_c_string()
    {
        Compile("^abc$").IsMatch("abc\0def").ShouldBeTrue();
        Compile("def").IsMatch("abc\0def").ShouldBeFalse();
    }

    [Fact]
    public void Pattern_size_limit_counts_the_negation_marker()
    {
        OsMatchPattern.CompileOrNull(new string('a', OsRegexPattern.MaxPatternBytes)).ShouldNotBeNull();
        OsMatchPattern.CompileOrNull(new string('a', OsRegexPattern.MaxPatternBytes + 1)).ShouldBeNull();
        OsMatchPattern.TryCompile("!" + new string('a', OsRegexPattern.MaxPatternBytes), out _, out var error).ShouldBeFalse();
        error.ShouldContain("OS_REGEX_MAXSIZE");
        OsMatchPattern.TryCompile(null!, out _, out var nullError).ShouldBeFalse();
        nullError.ShouldContain("OS_REGEX_PATTERN_NULL");
    }

    [Fact]
    public void Exposes_the_pattern_text()
    {
        var match = Compile("!Web|Db");
        match.Pattern.ShouldBe("!Web|Db");
        match.ToString().ShouldBe("!Web|Db");
        match.AlternativeCount.ShouldBe(2);
    }

    private static OsMatchPattern Compile(string pattern)
    {
        OsMatchPattern.TryCompile(pattern, out var match, out var error).ShouldBeTrue(error);
        return match;
    }
}
