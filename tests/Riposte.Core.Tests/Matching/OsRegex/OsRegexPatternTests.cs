namespace Riposte.Matching.OsRegex;

/// <summary>
/// OS_Regex behaviour in the places Riposte uses it: an active response's <c>&lt;rules_group&gt;</c> tested
/// with <c>OS_Regex(rules_group, rule-&gt;group)</c>, and analysisd's <c>&lt;location&gt;</c> keyword tests.
/// </summary>
public sealed class OsRegexPatternTests
{
    public static TheoryData<string, string, bool> RulesGroups => new()
    {
        { "web_scan|recon", "web,accesslog,web_scan,recon,", true },
        { "web_scan|recon", "web,accesslog,attack,", false },
        { "sshd,|pci_dss_11.4,", "syslog,sshd,authentication_failed,", true },
        { "sshd,|pci_dss_11.4,", "ossec,pci_dss_11.4,gdpr_IV_35.7.d,", true },
        { "sshd,|pci_dss_11.4,", "ossec,pci_dss_1104,", false },
        { "sshd,|pci_dss_11.4,", "ossec,sshd", false },
        { "authentication_failed|authentication_failures", "syslog,sshd,authentication_failures,", true },
        { "authentication_failed|authentication_failures", "syslog,sshd,authentication_success,", false },

        // Plain substring: a group name matches every group that contains it.
        { "sshd", "sshd2,", true },
        { "scan", "web,web_scan,", true },
        { "sshd", "syslog,openssh,", false },

        // ASCII case-insensitive on both sides.
        { "SSHD", "syslog,sshd,", true },
        { "sshd", "SYSLOG,SSHD,", true },
        { "Web_Scan", "WEB_SCAN,", true },

        // Anchors only apply to the alternative they are attached to.
        { "^syslog", "syslog,sshd,", true },
        { "^syslog", "ossec,syslog,", false },
        { "recon,$", "web,recon,", true },
        { "recon,$", "recon,web,", false },
        { "^web,$|attack", "web,", true },
        { "^web,$|attack", "web,accesslog,", false },
        { "^web,$|attack", "web,attack,", true },
    };

    [Theory]
    [MemberData(nameof(RulesGroups))]
    public void Rules_group_patterns_match_like_analysisd(string pattern, string groups, bool expected) =>
        Compile(pattern).IsMatch(groups).ShouldBe(expected);

    public static TheoryData<string, string, bool> LocationKeywords => new()
    {
        // analysisd tests each keyword pattern against the <location> text independently.
        { "AS|analysisd|analysis-server|server", "local", false },
        { "AS|analysisd|analysis-server|server", "Server", true },
        { "AS|analysisd|analysis-server|server", "analysis-server", true },
        { "AS|analysisd|analysis-server|server", "defined-agent", false },
        { "AS|analysisd|analysis-server|server", "all", false },
        { "AS|analysisd|analysis-server|server", "alias", true },
        { "AS|analysisd|analysis-server|server", "fast", true },
        { "local", "local", true },
        { "local", "LOCAL", true },
        { "local", "Server", false },
        { "local", "all", false },
        { "local", "localhost", true },
        { "defined-agent", "defined-agent", true },
        { "defined-agent", "DEFINED-AGENT", true },
        { "defined-agent", "defined_agent", false },
        { "defined-agent", "local", false },
        { "all|any", "all", true },
        { "all|any", "any", true },
        { "all|any", "ALL", true },
        { "all|any", "local", false },
        { "all|any", "alias", false },
        { "all|any", "company", true },
        { "all|any", "Server", false },
    };

    [Theory]
    [MemberData(nameof(LocationKeywords))]
    public void Location_keyword_patterns_match_like_analysisd(string pattern, string location, bool expected) =>
        Compile(pattern).IsMatch(location).ShouldBe(expected);

    public static TheoryData<string, string, bool> Escapes => new()
    {
        { @"\d+", "abc123", true },
        { @"\d+", "abc", false },
        { @"\d\d\d", "a12b", false },
        { @"\w+", "!!", false },
        { @"\w+", "a", true },
        { @"^\w+$", "host-name@example_1", true },
        { @"^\w+$", "host.name", false },
        { @"^\W$", "@", false },
        { @"a\sb", "a b", true },
        { @"a\sb", "a\tb", false },
        { @"a\tb", "a\tb", true },
        { @"^\p+$", "<>!?\"'#$%&()+*,-:|.;=[]{}", true },
        { @"\p", "/", false },
        { @"\p", "\\", false },
        { @"\p", "^", false },

        // A bare '.' is a literal dot; "\." is any byte.
        { "a.c", "abc", false },
        { "a.c", "a.c", true },
        { @"a\.c", "abc", true },
        { @"a\.c", "a.c", true },
        { @"a\.c", "ac", false },

        // Escaped metacharacters are literal.
        { @"a\|b", "a|b", true },
        { @"a\|b", "a", false },
        { @"a\|b", "b", false },
        { "a|b", "b", true },
        { @"cost\$", "cost$", true },
        { @"^cost\$$", "cost$", true },
        { @"\(x\)", "(x)", true },
        { @"\\", @"C:\", true },
        { @"a\<b", "a<b", true },

        // '+' and '*' only quantify escapes; after a literal they are literal characters.
        { "a+", "aa", false },
        { "a+", "a+", true },
        { "a*b", "aab", false },
        { "a*b", "a*b", true },

        // '^' and '$' are literal away from the ends of an alternative.
        { "a^b", "a^b", true },
        { "a$b", "a$b", true },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public void Escapes_and_metacharacters_follow_wazuh(string pattern, string input, bool expected) =>
        Compile(pattern).IsMatch(input).ShouldBe(expected);

    public static TheoryData<string> Rejected => new()
    {
        "(a|b)",
        "x(a|b)y",
        "((a))",
        "(a",
        "a)",
        ")(",
        "(a)(b",
        @"\x",
        @"\n",
        @"\+",
        @"\*",
        @"\^",
        @"\-",
        @"\/",
        @"\ ",
        @"a\",
        @"\d\",
        "\\",
        @"(\w|(\w)",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Patterns_wazuh_rejects_do_not_compile(string pattern)
    {
        OsRegexPattern.TryCompile(pattern, out var regex, out var error).ShouldBeFalse();
        regex.ShouldBeNull();
        error.ShouldNotBeNullOrWhiteSpace();
        OsRegexPattern.CompileOrNull(pattern).ShouldBeNull();
    }

    [Theory]
    [InlineData("(a|b)", "OS_REGEX_BADPARENTHESIS")]
    [InlineData("((a))", "OS_REGEX_BADPARENTHESIS")]
    [InlineData("(a", "OS_REGEX_BADPARENTHESIS")]
    [InlineData(@"\q", "OS_REGEX_BADREGEX")]
    [InlineData(@"abc\", "OS_REGEX_BADREGEX")]
    public void Compile_errors_name_the_wazuh_error(string pattern, string code)
    {
        OsRegexPattern.TryCompile(pattern, out _, out var error).ShouldBeFalse();
        error.ShouldContain(code);
    }

    [Fact]
    public void Groups_one_level_deep_compile_and_match_their_content()
    {
        var regex = Compile("(sshd)");
        regex.IsMatch("syslog,sshd,").ShouldBeTrue();
        regex.IsMatch("syslog,").ShouldBeFalse();
        Compile(@"user (\w+) from").IsMatch("Failed password for user root from 10.0.0.1").ShouldBeTrue();
    }

    [Fact]
    public void Empty_alternatives_match_everything()
    {
        Compile("").IsMatch("anything").ShouldBeTrue();
        Compile("").IsMatch("").ShouldBeTrue();
        Compile("web|").IsMatch("syslog,").ShouldBeTrue();
        Compile("a||b").IsMatch("zzz").ShouldBeTrue();
        Compile("^").IsMatch("zzz").ShouldBeTrue();
    }

    [Fact]
    public void Dollar_alone_matches_only_the_empty_string()
    {
        // Wazuh forgets the match start on the first byte that is not the end, so an empty '$' alternative
        // cannot match a non-empty subject.
        Compile("$").IsMatch("").ShouldBeTrue();
        Compile("$").IsMatch("x").ShouldBeFalse();
        Compile("^$").IsMatch("").ShouldBeTrue();
        Compile("^$").IsMatch("x").ShouldBeFalse();
        Compile("x|$").IsMatch("abc").ShouldBeFalse();
    }

    [Fact]
    public void Empty_input_only_matches_patterns_that_can_be_empty()
    {
        Compile("web").IsMatch("").ShouldBeFalse();
        Compile(@"\d+").IsMatch("").ShouldBeFalse();
        Compile(@"\d*").IsMatch("").ShouldBeTrue();
        Compile(@"^\w*$").IsMatch("").ShouldBeTrue();
    }

    [Fact]
    public void Only_optional_tokens_match_before_the_subject_start()
    {
        // Wazuh reports a zero-length '*' match as ending one byte before the subject (its issue #14249).
        var regex = Compile(@"\d*");
        regex.IsMatch("Wazuh").ShouldBeTrue();
        regex.Execute("Wazuh").ShouldBe(-1);
    }

    [Fact]
    public void Matching_is_not_backtracking()
    {
        // A backtracking engine matches all of these; Wazuh's single pass does not.
        Compile(@"^\d+\d").IsMatch("5").ShouldBeFalse();
        Compile(@"\w+1 \w+2 \w+3 \w+4 \w+5 \w+6").IsMatch("z1 x2 x3 x4 x5x5 x6").ShouldBeFalse();
        Compile(@"\w*\w*\w*\w*\w*\w*").IsMatch("xy").ShouldBeFalse();
        Compile(@"xyz\d*\w*").IsMatch("xyz").ShouldBeFalse();

        // ... while these still match.
        Compile(@"\w+1 \w+2 \w+3 \w+4 \w+5 \w+6").IsMatch("z1 x2 x3 x4x4 x5 x6").ShouldBeTrue();
        Compile(@"\d+\w").IsMatch("12345").ShouldBeTrue();
    }

    [Fact]
    public void Non_ascii_text_is_matched_as_utf8_bytes()
    {
        // 'é' is two bytes, so one "\." does not cover it.
        Compile(@"^caf\.$").IsMatch("cafe").ShouldBeTrue();
        Compile(@"^caf\.$").IsMatch("café").ShouldBeFalse();
        Compile(@"^caf\.\.$").IsMatch("café").ShouldBeTrue();
        Compile(@"^\w+$").IsMatch("café").ShouldBeFalse();
        Compile(@"^\W+$").IsMatch("é").ShouldBeTrue();

        // Only ASCII letters are folded.
        Compile("café").IsMatch("CAFé").ShouldBeTrue();
        Compile("CAFÉ").IsMatch("café").ShouldBeFalse();
        Compile("i").IsMatch("\u0131").ShouldBeFalse();
        Compile("s").IsMatch("\u017F").ShouldBeFalse();
        Compile("k").IsMatch("\u212A").ShouldBeFalse();
        Compile("\u0131").IsMatch("I").ShouldBeFalse();
    }

    [Fact]
    public void Input_ends_at_the_first_nul_like_a_c_string()
    {
        Compile("abc").IsMatch("abc\0def").ShouldBeTrue();
        Compile("def").IsMatch("abc\0def").ShouldBeFalse();
        Compile(@"^abc$").IsMatch("abc\0def").ShouldBeTrue();
        Compile("abc\0zzz").IsMatch("abc").ShouldBeTrue();
    }

    [Fact]
    public void Pattern_size_limit_is_counted_in_utf8_bytes()
    {
        OsRegexPattern.CompileOrNull(new string('a', OsRegexPattern.MaxPatternBytes)).ShouldNotBeNull();
        OsRegexPattern.CompileOrNull(new string('a', OsRegexPattern.MaxPatternBytes + 1)).ShouldBeNull();
        OsRegexPattern.CompileOrNull(new string('é', OsRegexPattern.MaxPatternBytes / 2)).ShouldNotBeNull();
        OsRegexPattern.TryCompile(new string('é', (OsRegexPattern.MaxPatternBytes / 2) + 1), out _, out var error).ShouldBeFalse();
        error.ShouldContain("OS_REGEX_MAXSIZE");
    }

    [Fact]
    public void Long_subjects_are_matched()
    {
        var subject = new string('x', 5000) + ",web_scan,";
        Compile("web_scan").IsMatch(subject).ShouldBeTrue();
        Compile(@"\w+_scan,$").IsMatch(subject).ShouldBeTrue();
        Compile(@"^\w+$").IsMatch(subject).ShouldBeFalse();
    }

    [Fact]
    public void Matching_does_not_allocate()
    {
        var cases = new (OsRegexPattern Regex, string Subject)[]
        {
            (Compile("web_scan|recon"), "web,accesslog,web_scan,recon,"),
            (Compile("^syslog|sshd,$"), "syslog,sshd,"),
            (Compile(@"\w+_scan,|^\d+$"), "web,accesslog,web_scan,recon,"),
            (Compile(@"\w+_scan,"), "wéb,accesslog,web_scan,"),
            (Compile(@"\w+_scan,"), new string('x', 4000) + ",web_scan,"),
        };
        var match = OsMatchPattern.CompileOrNull("!^host.example.com$|db1") ?? throw new InvalidOperationException();

        for (var warmUp = 0; warmUp < 3; warmUp++)
        {
            Run();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);

        void Run()
        {
            for (var i = 0; i < 100; i++)
            {
                foreach (var (regex, subject) in cases)
                {
                    regex.IsMatch(subject).ShouldBeTrue();
                }

                match.IsMatch("web1.example.com").ShouldBeTrue();
            }
        }
    }

    [Fact]
    public void Exposes_the_pattern_text()
    {
        var regex = Compile("Web|Recon");
        regex.Pattern.ShouldBe("Web|Recon");
        regex.ToString().ShouldBe("Web|Recon");
        regex.AlternativeCount.ShouldBe(2);
    }

    [Fact]
    public void A_null_pattern_does_not_compile()
    {
        OsRegexPattern.TryCompile(null!, out _, out var error).ShouldBeFalse();
        error.ShouldContain("OS_REGEX_PATTERN_NULL");
    }

    private static OsRegexPattern Compile(string pattern)
    {
        OsRegexPattern.TryCompile(pattern, out var regex, out var error).ShouldBeTrue(error);
        return regex;
    }
}
