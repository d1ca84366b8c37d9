namespace Riposte.Matching.OsRegex;

/// <summary>
/// Vectors ported from wazuh's own unit tests, <c>src/unit_tests/os_regex/test_os_regex.c</c>
/// (<c>test_success_regex</c>, <c>test_fail_regex</c>, <c>test_success_match</c>, <c>test_fail_match</c> and
/// the <c>test_regexmap_*</c> / <c>test_case_insensitive_char_map</c> table checks).
/// </summary>
public sealed class WazuhUnitTestVectorTests
{
    private const string IptablesLog =
        "kernel: IPTABLE IN=eth0 OUT= MAC=ff:ff:ff:ff:ff:ff:00:03:93:db:2e:b4:08:00 SRC=10.4.11.40 DST=255.255.255.255 LEN=180 TOS=0x00 PREC=0x00 TTL=64 ID=4753 PROTO=UDP SPT=49320 DPT=2222 LEN=160";

    private const string SnortPattern =
        @"^\S+ [(\d+:\d+:\d+)] \.+ (\d+.\d+.\d+.\d+)\p*\d* -> (\d+.\d+.\d+.\d+)\p*";

    // Patterns that are plain literals behave identically under OS_Regex and OSMatch; wazuh tests both.
    public static TheoryData<string, string> SharedSuccess => new()
    {
        { "abc", "abcd" },
        { "abcd", "abcd" },
        { "a", "a" },
        { "a", "aa" },
        { "^a", "ab" },
        { "test", "testa" },
        { "test", "testest" },
        { "lalaila", "lalalalaila" },
        { "abc|cde", "cde" },
        { "^aa|ee|ii|oo|uu", "dfgdsii" },
        { "Abc", "abc" },
        { "ZBE", "zbe" },
        { "ABC", "ABc" },
        { "^A", "a" },
        { "a|E", "abcdef" },
        { "daniel", "daniel" },
        { "DANIeL", "daNIel" },
        { "^abc ", "abc " },
        { "ddd|eee|fff|ggg|ggg|hhh|iii", "iii" },
        { "kwo|fe|fw|wfW|edW|dwDF|WdW|dw|d|^la", "la" },
        { "^a", "a" },
        { "^ab$", "ab" },
        { "c$", "c" },
        { "c$", "lalalalac" },
        { "^bin$|^shell$", "bin" },
        { "^bin$|^shell$", "shell" },
        { "^bin$|^shell$|^ftp$", "shell" },
        { "^bin$|^shell$|^ftp$", "ftp" },
    };

    public static TheoryData<string, string> SharedFailure => new()
    {
        { "abc", "abb" },
        { "^ab", " ab" },
        { "test", "tes" },
        { "abcd", "abc" },
        { "abbb", "abb" },
        { "abbbbbbbb", "abbbbbbb" },
        { "a|b|c| ", "def" },
        { "lala$", "lalalalalal" },
        { "^ab$", "abc" },
        { "zzzz$", "zzzzzzzzzzzz " },
        { "^bin$|^shell$", "bina" },
        { "^bin$|^shell$", "shella" },
        { "^bin$|^shell$", "ashell" },
    };

    public static TheoryData<string, string> RegexSuccess => new()
    {
        { @"\s+123", "  123" },
        { @"\s*123", "123" },
        { @"\s123", " 123" },
        { @"\w+\s+\w+", "a 1" },
        { @"\w+\d+\w+\s+", "ab12fb12fd12 " },
        { @"^\s*\w\s*\w+", "a   l a  a" },
        { @"\w+\s+\w+\d+\s$", "a aa11 " },
        { @"^su\S*: BAD su", "su: BAD SU dcid to root on /dev/ttyp0" },
        { @"^su\s*: BAD su", "su: BAD SU dcid to root on /dev/ttyp0" },
        { @"^abc\sabc", "abc abcd" },
        { @"^abc\s\s*abc", "abc abcd" },
        { @"^\s+\sl", "     lala" },
        { @"^\s*\sl", "     lala" },
        { @"^\s\s+l", "     lala" },
        { @"^\s+\s l", "     lala" },
        { @"^\s*\s lal\w$", "  lala" },
        { @"test123test\d+$", "test123test123" },
        { @"^kernel: \S+ \.+ SRC=\S+ DST=\S+ \.+ PROTO=\w+ SPT=\d+ DPT=\d+ ", IptablesLog },
        { @"test (\w+)la", "test abclala" },
        { @"(\w+) (\w+)", "wofl wofl" },
        { SnortPattern, "snort: [1:469:3] ICMP PING NMAP [Classification: Attempted Information Leak] [Priority: 2]: {ICMP} 10.4.12.26 -> 10.4.10.231" },
        { SnortPattern, "snort: [1:408:5] ICMP Echo Reply [Classification: Misc Activity] [Priority: 3]: {ICMP} 10.4.10.231 -> 10.4.12.26" },
        { SnortPattern, "snort: [1:1420:11] SNMP trap tcp [Classification: Attempted Information Leak] [Priority: 2]: {TCP} 10.4.12.26:37020 -> 10.4.10.231:162" },
        { SnortPattern, "snort: [1:1420:11] SNMP trap tcp [Classification: Attempted Information Leak] [Priority: 2]: {TCP} 10.4.12.26:37021 -> 10.4.10.231:162" },
        { SnortPattern, "snort: [1:590:12] RPC portmap ypserv request UDP [Classification: Decode of an RPC Query] [Priority: 2]: {UDP} 10.4.11.94:669 -> 10.4.3.20:111" },
        { SnortPattern, "snort: [1:590:12] RPC portmap ypserv request UDP [Classification: Decode of an RPC Query] [Priority: 2]: {UDP} 10.4.11.94:670 -> 10.4.3.20:111" },
        { SnortPattern, "snort: [1:1421:11] SNMP AgentX/tcp request [Classification: Attempted Information Leak] [Priority: 2]: {TCP} 10.4.12.26:37020 -> 10.4.10.231:705" },
        { @"^\t 1234", "\t 1234" },
        { @"^abc\$d", "abc$d" },
        { @"^abc\|d", "abc|d" },
        { @"^abc\<d", "abc<d" },
        { @"^\\ \w$", @"\ a" },
        { @"^\D+123", "test123" },
        { @"^\W+abc", " \t abc" },
    };

    public static TheoryData<string, string> RegexFailure => new()
    {
        { @"\w+\s+\w+\d+\s$", "a aa11  " },
        { @"^\s+\s     l", "     lala" },
        { @"test123test\d+", "test123test" },
        { @"test123test\d+$", "test123test" },
        { "(lalala", "lalala" },
        { @"test123(\d)", "test123a" },
        { @"\(test)", "test" },
        { @"(\w+)(\d+)", "1 1" },
        { @"^abc\*d", "abc*d" },
        { @"^\D+123", "te5st123" },
        { @"^\W+abc", " \t 1 abc" },
        { @"(\w|(\w)", "" },
        { new string('a', OsRegexPattern.MaxPatternBytes + 1), "" },
    };

    public static TheoryData<string, string> MatchSuccess => new()
    {
        { "!test1", "test2" },
        { "\0", "" },
    };

    public static TheoryData<string, string> MatchFailure => new()
    {
        { "!test1", "test1" },
        { new string('a', OsRegexPattern.MaxPatternBytes + 1), "" },
    };

    [Theory]
    [MemberData(nameof(SharedSuccess))]
    [MemberData(nameof(RegexSuccess))]
    public void Regex_matches(string pattern, string input) => OsRegex(pattern, input).ShouldBeTrue();

    [Theory]
    [MemberData(nameof(SharedFailure))]
    [MemberData(nameof(RegexFailure))]
    public void Regex_does_not_match(string pattern, string input) => OsRegex(pattern, input).ShouldBeFalse();

    [Theory]
    [MemberData(nameof(SharedSuccess))]
    [MemberData(nameof(MatchSuccess))]
    public void Match_matches(string pattern, string input) => OsMatch(pattern, input).ShouldBeTrue();

    [Theory]
    [MemberData(nameof(SharedFailure))]
    [MemberData(nameof(MatchFailure))]
    public void Match_does_not_match(string pattern, string input) => OsMatch(pattern, input).ShouldBeFalse();

    [Fact]
    public void Case_map_folds_only_ascii_upper_case()
    {
        for (var b = 0; b < 256; b++)
        {
            var expected = b is >= 'A' and <= 'Z' ? b + 32 : b;
            ((int)OsCharClasses.Fold((byte)b)).ShouldBe(expected, $"byte {b}");
        }
    }

    public static TheoryData<byte, string> ClassDefinitions => new()
    {
        { OsCharClasses.Digit, "digit" },
        { OsCharClasses.Word, "word" },
        { OsCharClasses.Space, "space" },
        { OsCharClasses.Punctuation, "punctuation" },
        { OsCharClasses.OpenParenthesis, "(" },
        { OsCharClasses.CloseParenthesis, ")" },
        { OsCharClasses.Backslash, "\\" },
        { OsCharClasses.NonDigit, "non-digit" },
        { OsCharClasses.NonWord, "non-word" },
        { OsCharClasses.NonSpace, "non-space" },
        { OsCharClasses.AnyByte, "any" },
        { OsCharClasses.Tab, "tab" },
        { OsCharClasses.Dollar, "$" },
        { OsCharClasses.Pipe, "|" },
        { OsCharClasses.LessThan, "<" },
    };

    [Theory]
    [MemberData(nameof(ClassDefinitions))]
    public void Escape_classes_match_wazuh_regexmap(byte code, string name)
    {
        for (var b = 0; b < 256; b++)
        {
            OsCharClasses.IsInClass(code, (byte)b).ShouldBe(ExpectedMember(code, b), $"{name} class, byte {b}");
        }
    }

    // Written independently from the production table, straight from wazuh's test_regexmap_* expectations.
    private static bool ExpectedMember(byte code, int b)
    {
        var digit = b is >= '0' and <= '9';
        var word = b is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '@' or '_';
        return code switch
        {
            OsCharClasses.Digit => digit,
            OsCharClasses.Word => word,
            OsCharClasses.Space => b == ' ',
            OsCharClasses.Punctuation => b is '<' or '>' or '!' or '?' or '"' or '\'' or '#' or '$' or '%' or '&'
                or '(' or ')' or '+' or '*' or ',' or '-' or ':' or '|' or '.' or ';' or '=' or '[' or ']' or '{' or '}',
            OsCharClasses.OpenParenthesis => b == '(',
            OsCharClasses.CloseParenthesis => b == ')',
            OsCharClasses.Backslash => b == '\\',
            OsCharClasses.NonDigit => !digit,
            OsCharClasses.NonWord => !word,
            OsCharClasses.NonSpace => b != ' ',
            OsCharClasses.AnyByte => true,
            OsCharClasses.Tab => b == '\t',
            OsCharClasses.Dollar => b == '$',
            OsCharClasses.Pipe => b == '|',
            OsCharClasses.LessThan => b == '<',
            _ => throw new ArgumentOutOfRangeException(nameof(code)),
        };
    }

    // Mirrors wazuh's OS_Regex / OS_Match2 wrappers: a pattern that fails to compile reports no match.
    private static bool OsRegex(string pattern, string input) =>
        OsRegexPattern.CompileOrNull(pattern)?.IsMatch(input) ?? false;

    private static bool OsMatch(string pattern, string input) =>
        OsMatchPattern.CompileOrNull(pattern)?.IsMatch(input) ?? false;
}
