namespace Riposte.Matching.OsRegex;

/// <summary>
/// The OS_Regex execution vectors of wazuh's <c>src/unit_tests/os_regex/test_os_regex_execute.json</c>
/// (wazuh/wazuh commit d37f6e2c), which wazuh runs with <c>OSRegex_Compile(pattern, OS_RETURN_SUBSTRING)</c>
/// and <c>OSRegex_Execute_ex</c>. Each vector checks both the match result and the returned end-of-match
/// pointer (the remainder of the log from the last matched byte). Entries wazuh marks <c>ignore_result</c>
/// (known bugs whose expected values do not hold) are left out; captured groups are not ported.
/// </summary>
public sealed class OsRegexExecuteVectorTests
{
    private static readonly string ThirtySixFieldLog =
        "36cg " + string.Join(' ', Enumerable.Range(1, 36).Select(i => $"field_{i:00}={i:000}"));

    // "^36cg field_01=(\d+) ... field_35=(\d+) field_36=(\d\d\d)"
    private static readonly string ThirtySixFields =
        "^36cg " + string.Join(' ', Enumerable.Range(1, 35).Select(i => $@"field_{i:00}=(\d+)")) + @" field_36=(\d\d\d)";

    // Alternatives for 1 and 4..21 fields, then the 36-field one.
    private static readonly string TwentyAlternatives = string.Join('|',
        new[] { 1 }.Concat(Enumerable.Range(4, 18))
            .Select(n => $"^{n:00}cg " + string.Join(' ', Enumerable.Range(1, n).Select(i => $@"field_{i:00}=(\d+)")))
            .Append(ThirtySixFields));

    // One-field alternatives for 1 and 4..37, then "^38cg field_01=(\d\d\d)".
    private static readonly string ThirtyEightAlternatives = string.Join('|',
        new[] { 1 }.Concat(Enumerable.Range(4, 34))
            .Select(n => $@"^{n:00}cg field_01=(\d+)")
            .Append(@"^38cg field_01=(\d\d\d)"));

    public static TheoryData<string, string, string?> Vectors => new()
    {
        // [Functionality] Charmap without backslashed tokens.
        { "hi Wazuh", "hi Wazuh", "h" },
        { "(hi) (Wazuh)", "hi Wazuh", "h" },
        { "hi Wazuh$", "hi Wazuh 123", null },
        { "(hi) (Wazuh)$", "hi Wazuh 123", null },
        { "hi Wazuh", "bye Wazuh", null },
        { "(hi) (Wazuh)", "prefixhi Wazuh", "h" },
        { "(hi) (Wazuh)", "fixhi Wazuhsub", "hsub" },

        // [Functionality] Charmap + END/BEGIN flags and st_error without backslashed tokens.
        { "hi Wazuh$", "hi Wazuh", "h" },
        { "^$", "hi Wazuh", null },
        { "^$", "", "" },
        { "hi Wazuh", "hi Wazuh!", "h!" },
        { "(hi) (Wazuh)", "XX hi Wa hi WazuhXX", "hXX" },
        { "^(hi) (Wazuh)", "hi Wa hi WazuhXX", null },

        // [Functionality] Only backslashed tokens without quantifiers ('*', '+').
        { @"\w\w\s\S\S\S\S\S", "hi Wazuh", "h" },
        { @"\w\w\s\S\S\S\S\S", "hi Waz", null },
        { @"\w\w\s\S\S\S\S\S", "hi Waz hi Wazu.", "." },
        { @"\w(\w\s\S)\S(\S\S\S)", "hi Wazuh", "h" },
        { @"(\w\w)\s\S\S\S\S\S", "hi Waz", null },
        { @"(\w\w)\s(\S\S\S\S\S)", "hi Waz hi Wazuh.", "h." },
        { @"(\w\w\s\S\S\S\S\S)\p$", "hi Waz hi Wazuh.", "." },

        // [Functionality] Only backslashed tokens with the '+' quantifier.
        { @"^\w+$", "Wazuh ", null },
        { @"^(\w+)$", "Wazuh ", null },
        { @"\w+", "w", "w" },
        { @"(\w+)", "w", "w" },
        { @"^\w+$", "w", "w" },
        { @"^(\w+)$", "w", "w" },

        // [Functionality] Lazy-Greedy: '+' token followed by an unquantified token outside its class.
        { @"\w+\s", "X ", " " },
        { @"\w+\s", "Wazuh ", " " },
        { @"(\w+)\s", "X ", " " },
        { @"(\w+\s)", "w ", " " },
        { @"(\w+)\s", "Wazuh ", " " },
        { @"\w+ ", "w ", " " },
        { @"\w+ ", "Wazuh ", " " },
        { @"(\w+) ", "w ", " " },
        { @"(\w+ )", "w ", " " },
        { @"(\w+) ", "Wazuh ", " " },
        { @"\w+\s1", "Wazuh 1", "1" },
        { @"(\w+)\s1", "w 1", "1" },
        { @"(\w+\s)1", "w 1", "1" },
        { @"(\w+)\s1", "Wazuh 1", "1" },
        { @"\w+\s1", "w 123", "123" },
        { @"\w+ 1", "Wazuh 123", "123" },
        { @"(\w+) 1", "w 123", "123" },
        { @"(\w+ )1", "w 123", "123" },
        { @"(\w+) 1", "Wazuh 123", "123" },
        { @"^\w+\s$", "w ", " " },
        { @"^\w+\s$", "Wazuh ", " " },
        { @"^(\w+)\s$", "w ", " " },
        { @"^(\w+\s)$", "w ", " " },
        { @"^(\w+)\s$", "Wazuh ", " " },
        { @"^\w+ $", "w ", " " },
        { @"^\w+ $", "Wazuh ", " " },
        { @"^(\w+) $", "w ", " " },
        { @"^(\w+ )$", "w ", " " },
        { @"^(\w+) $", "Wazuh ", " " },
        { @"^\w+ $", "Wazuh -", null },
        { @"^(\w+ )$", "Wazuh -", null },

        // [Functionality] Lazy-Greedy: '+' token followed by an unquantified token inside its class.
        { @"\d+\d", "5", null },
        { @"(\d+)\d", "5", null },
        { @"(\d+)\w", "12", "2" },
        { @"\d+(\w)", "12", "2" },
        { @"\d+\w", "12345", "2345" },
        { @"(\d+)\w", "12345", "2345" },
        { @"\d+(\w)", "12345", "2345" },
        { @"^\d+\d", "5", null },
        { @"^(\d+)\d", "5", null },
        { @"^(\d+)\w$", "12", "2" },
        { @"^\d+(\w)$", "12", "2" },
        { @"^\d+\w$", "12345", "5" },
        { @"^(\d+)\w$", "12345", "5" },
        { @"^\d+(\w)$", "12345", "5" },
        { @"^\d+(\w)$", "12345&&&&&&&", null },

        // [Functionality] Lazy-Greedy: '+' token followed by a '+' token outside its class.
        { @"\w+\s+", "w ", " " },
        { @"(\w+\s+)", "w ", " " },
        { @"(\w+)\s+", "w ", " " },
        { @"\w+(\s+)", "w ", " " },
        { @"\w+\s+", "Wazuh ", " " },
        { @"(\w+)\s+", "Wazuh ", " " },
        { @"(\w+)\d*(\s+)", "Wazuh ", " " },
        { @"(\w+)\d*(\s+)", "Wazuh123 ", " " },
        { @"(\w+)\d+(\s+)", "Wazuh123 ", " " },
        { @"\w+\s+1", "Wazuh 1", "1" },
        { @"(\w+)\s+1", "w 1", "1" },
        { @"(\w+\s+)1", "w 1", "1" },
        { @" (\w+)\s+1", " Wazuh 1", "1" },
        { @"^\w+\s+$", "w ", " " },
        { @"^(\w+)\s+$", "w ", " " },
        { @"^\w+(\s+)$", "w ", " " },
        { @"^(\w+\s+)$", "w ", " " },
        { @"^\w+\s+$", "Wazuh -", null },
        { @"^(\w+\s+)$", "Wazuh -", null },

        // [Functionality] Lazy-Greedy: '+' token followed by a '*' token.
        { @"\w+\s*", "w", "w" },
        { @"(\w+)\s*", "w", "w" },
        { @"\w+\s*1", "Wazuh 1", "1" },
        { @"(\w+)\s*1", "w 1", "1" },
        { @"(\w+\s*)1", "w 1", "1" },
        { @" (\w+)\s*1", " Wazuh 1", "1" },
        { @"^\w+\s*$", "Wazuh -", null },
        { @"^(\w+\s*)$", "Wazuh -", null },

        // [Functionality] Lazy-Greedy: st_error, pt_error[] and pt_error_str[] for partial matches and rewind.
        { @"\w+_1 \w+_2 \w+_3 \w+_4 \w+_5 \w+_6", "wa_11 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w+_1 \w+_2 \w+_3 \w+_4 \w+_5 \w+_6", "wa_1 wa_22 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w+_1 \w+_2 \w+_3 \w+_4 \w+_5 \w+_6", "wa_1 wa_2 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w+_1 \w+_2 \w+_3 \w+_4 \w+_5 \w+_6", "wa_1 wa_2 wa_3 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w+_1 \w+_2 \w+_3 \w+_4 \w+_5 \w+_6", "wa_1 wa_2 wa_3 wa_4 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w+_1 \w+_2 \w+_3 \w+_4 \w+_5 \w+_6", "wa_1 wa_2 wa_3 wa_4 wa_5 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w+1 \w+2 \w+3 \w+4 \w+5 \w+6", "z1x1 x2 x3 x4 x5 x6", "6" },
        { @"\w+1 \w+2 \w+3 \w+4 \w+5 \w+6", "z1 x2x2 x3 x4 x5 x6", "6" },
        { @"\w+1 \w+2 \w+3 \w+4 \w+5 \w+6", "z1 x2 x3 x4x4 x5 x6", "6" },

        // [Functionality] Only backslashed tokens with the '*' quantifier.
        { @"^\w*$", "Wazuh ", null },
        { @"^(\w*)$", "Wazuh ", null },
        { @"\w*", "w", "w" },
        { @"(\w*)", "w", "w" },
        { @"^\w*$", "w", "w" },
        { @"^(\w*)$", "w", "w" },
        { @"^\w*$", "", "" },

        // [Functionality] Lazy-Greedy: '*' token followed by an unquantified token outside its class.
        { @"\w*\s", "w ", " " },
        { @"\w*\s", "Wazuh ", " " },
        { @"(\w*)\s", "w ", " " },
        { @"(\w*)\s", " ", " " },
        { @"(\w*\s)", "w ", " " },
        { @"(\w*\s)", " ", " " },
        { @"(\w*)\s", "Wazuh ", " " },
        { @"\w* ", " ", " " },
        { @"\w* ", "w ", " " },
        { @"\w* ", "Wazuh ", " " },
        { @"(\w*) ", "w ", " " },
        { @"(\w* )", "w ", " " },
        { @"(\w*) ", "Wazuh ", " " },
        { @"\w*\s1", "Wazuh 1", "1" },
        { @"(\w*)\s1", "w 1", "1" },
        { @"(\w*\s)1", "w 1", "1" },
        { @"(\w*)\s1", "Wazuh 1", "1" },
        { @"\w*\s1", "w 123", "123" },
        { @"\w* 1", "Wazuh 123", "123" },
        { @"(\w*) 1", "w 123", "123" },
        { @"(\w* )1", "w 123", "123" },
        { @"(\w*) 1", "Wazuh 123", "123" },
        { @"^\w*\s$", "w ", " " },
        { @"^\w*\s$", "Wazuh ", " " },
        { @"^(\w*)\s$", "w ", " " },
        { @"^(\w*\s)$", "w ", " " },
        { @"^(\w*)\s$", "Wazuh ", " " },
        { @"^\w* $", "w ", " " },
        { @"^\w* $", "Wazuh ", " " },
        { @"^(\w*) $", "w ", " " },
        { @"^(\w* )$", "w ", " " },
        { @"^(\w*) $", "Wazuh ", " " },
        { @"^\w* $", "Wazuh -", null },
        { @"^(\w* )$", "Wazuh -", null },

        // [Functionality] Lazy-Greedy: '*' token followed by an unquantified token inside its class.
        { @"\d*\w", "5", "5" },
        { @"(\d*)\w", "5", "5" },
        { @"\d*\w", "12", "12" },
        { @"(\d*)\w", "12", "12" },
        { @"\d*(\w)", "12", "12" },
        { @"\d*\w", "12345", "12345" },
        { @"(\d*)\w", "12345", "12345" },
        { @"\d*(\w)", "12345", "12345" },
        { @"^\d*\d", "5", "5" },
        { @"^(\d*)\d", "5", "5" },
        { @"^(\d*)\w$", "12", "2" },
        { @"^\d*(\w)$", "12", "2" },
        { @"^\d*\w$", "12345", "5" },
        { @"^(\d*)\w$", "12345", "5" },
        { @"^\d*(\w)$", "12345", "5" },
        { @"^\d*(\w)$", "12345&&&&&&&", null },

        // [Functionality] Lazy-Greedy: '*' token followed by a '+' token outside its class.
        { @"\w*\s+", "w ", " " },
        { @"(\w*\s+)", "w ", " " },
        { @"(\w*)\s+", "w ", " " },
        { @"\w*\s+", "Wazuh ", " " },
        { @"(\w*)\s+", "Wazuh ", " " },
        { @"(\w*)\d*(\s+)", "Wazuh ", " " },
        { @"(\w*)\d*(\s+)", "Wazuh123 ", " " },
        { @"(\w*)\d+(\s+)", "Wazuh123 ", " " },
        { @"\w*\s+1", "Wazuh 1", "1" },
        { @"(\w*)\s+1", "w 1", "1" },
        { @"(\w*\s+)1", "w 1", "1" },
        { @" (\w*)\s+1", " Wazuh 1", "1" },
        { @"^\w*\s+$", "w ", " " },
        { @"^(\w*)\s+$", "w ", " " },
        { @"^(\w*\s+)$", "w ", " " },
        { @"^\w*\s+$", "Wazuh -", null },
        { @"^(\w*\s+)$", "Wazuh -", null },

        // [Functionality] Lazy-Greedy: '*' token followed by a '*' token.
        { @"\w*\s*", "w", "w" },
        { @"(\w*\s*)", "w", "w" },
        { @"(\w*\s*)", "Wazuh", "h" },
        { @"(\w*)\s*", "w", "w" },
        { @"\w*\s*1", "Wazuh 1", "1" },
        { @"(\w*)\s*1", "w 1", "1" },
        { @"(\w*\s*)1", "w 1", "1" },
        { @" (\w*)\s*1", " Wazuh 1", "1" },
        { @"^\w*\s*$", "Wazuh -", null },
        { @"^(\w*\s*)$", "Wazuh -", null },

        // [Functionality] Lazy-Greedy: '*' tokens, st_error, pt_error[] and pt_error_str[] rewinds.
        { @"\w*_1 \w*_2 \w*_3 \w*_4 \w*_5 \w*_6", "wa_11 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w*_1 \w*_2 \w*_3 \w*_4 \w*_5 \w*_6", "wa_1 wa_22 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w*_1 \w*_2 \w*_3 \w*_4 \w*_5 \w*_6", "wa_1 wa_2 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w*_1 \w*_2 \w*_3 \w*_4 \w*_5 \w*_6", "wa_1 wa_2 wa_3 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w*_1 \w*_2 \w*_3 \w*_4 \w*_5 \w*_6", "wa_1 wa_2 wa_3 wa_4 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w*_1 \w*_2 \w*_3 \w*_4 \w*_5 \w*_6", "wa_1 wa_2 wa_3 wa_4 wa_5 wa_1 wa_2 wa_3 wa_4 wa_5 wa_6", "6" },
        { @"\w*1 \w*2 \w*3 \w*4 \w*5 \w*6", "z1x1 x2 x3 x4 x5 x6", "6" },
        { @"\w*1 \w*2 \w*3 \w*4 \w*5 \w*6", "z1 x2x2 x3 x4 x5 x6", "6" },
        { @"\w*1 \w*2 \w*3 \w*4 \w*5 \w*6", "z1 x2 x3 x4x4 x5 x6", "6" },

        // [Coverage] Loop on all sub patterns without capture groups.
        { "^hi|bye$|^$", "123456", null },
        { @"^hi|bye$|^$|\w+\d.|\p*", "123456.", "." },

        // [Memory test] regex_matching alloc/expand tests (the long patterns are generated below).
        { "hi (\\w+).", "Hi Wazuh.", "." },
        { TwentyAlternatives, ThirtySixFieldLog, "6" },
        { ThirtySixFields, ThirtySixFieldLog, "6" },
        { ThirtyEightAlternatives, "38cg field_01=001", "1" },

        // [Functionality] Supported expression tests - Character Maps [\w, \d, \s, \W, \D, \S, \p, \t, \.].
        { @"(\w+\w)$", "\t\r !\"#$%&()*+,./:;<=>?[\\]^`{|}~0123456789_-@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "z" },
        { @"(\d+\d)$", "\t\r !\"#$%&()*+,./:;<=>?[\\]^`{|}~_-@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "9" },
        { @"(\s+)", "\t\r!\"#$%&()*+,./:;<=>?[\\]^`{|}~_-@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ", " " },
        { @"(\t+)", "\r !\"#$%&()*+,./:;<=>?[\\]^`{|}~_-@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\t", "\t" },
        { @"(\p+\p)$", "\r\t /\\^`~_@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789()*+,-.:;<=>?[]!\"'#$%&|{}", "}" },
        { @"(\W+\W)$", "0123456789_-@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\t\r !\"#$%&()*+,./:;<=>?[\\]^`{|}~", "~" },
        { @"(\D+\D)$", "0123456789_-@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\t !\"#$%&()*+,./:;<=>?[\\]^`{|}~", "~" },
        { @"(\S+\S)$", " \r\t!\"#$%&()*+,./:;<=>?[\\]^`{|}~_-@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "9" },
        { @"(\.+\.)$", " \r\t!\"#$%&()*+,./:;<=>?[\\]^`{|}~_-@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "9" },

        // [Functionality] quantifiers (+ and *).
        { @"(\d+)", "asd_ _qwe", null },
        { @"(\d+)", "asd_1_qwe", "1_qwe" },

        // [Functionality] Special characters escaping (\$ \( \) \\ \| \<).
        { @"\p+", @"Special characters are $()|<\", @"\" },
        { @"Special characters are (\p*)", @"Special characters are $()|<\", @"<\" },
        { @"Backslash character is (\.+)", @"Backslash character is \", @"\" },
        { @"Backslash character is \.+", @"Backslash character is \", @"\" },
        { @"Special characters are (\t*)", @"Special characters are $()|<\", @" $()|<\" },
        { @"Special characters are \t*", @"Special characters are $()|<\", @" $()|<\" },
        { @"Special characters are (\w*)", @"Special characters are $()|<\", @" $()|<\" },
        { @"Special characters are \w*", @"Special characters are $()|<\", @" $()|<\" },

        // [Functionality] Special characters: '^' (only special at the start of an alternative).
        { @"^(\d+)", "hi digits", null },
        { @"\d+^\d\d\d", "123^456", "6" },

        // [Functionality] Special characters: '$' (only special at the end of an alternative).
        { @"(\d+)$", "hi digits", null },
        { @"\d+$\d\d\d", "123$456", "6" },
        { @"(\d\d\d\d)$", "1234", "4" },
        { @"(\d\d)$", "1234", "4" },
        { @"\d\d\d\d$", "1234", "4" },
        { @"\D\D$", "1234asd", "d" },

        // [Functionality] Special characters: OR with flags ['^', '$', '|'].
        { @"^$|^\d|\d$|\s(\w+)", "^hi*digits*asd$", null },
        { @"\d\d\d\d$|(\d\d\d\d)$", "2020", "0" },

        // [Functionality] Corner cases.
        { @"\d+", "1", "1" },
        { @"(\d+)", "1", "1" },
        { @"(\d*)", "123subpattern", "3subpattern" },
        { @"^\d+", "subpattern123", null },
        { @"^(\d+)", "subpattern123", null },
        { @"^(\d*)", "123subpattern", "3subpattern" },
        { @"\d*$", "123pattern", null },
        { @"(\w*\d*\w*\d*\w*\d*)", "xy", "y" },
        { @"^(\w*\d*\w*\d*\w*\d*)", "xy", "y" },
        { @"(\w*\d*\w*\d*\w*\d*)$", "xy", "y" },
        { @"(\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*)", "xy", "y" },
        { @"^(\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*)", "xy", "y" },
        { @"(\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*)$", "xy", "y" },
        { @"(\w*)\p*\d*\w*", "xy", "y" },
        { @"(\w*\p*\d*\w*)", "xy", "y" },
        { @"\w*\d*\w*", "xy", "y" },
        { @"^\w*\d*\w*", "xy", "y" },
        { @"\w*\d*\w*$", "xy", "y" },
        { @"\w*\w*\w*\w*\w*", "xy", "y" },
        { @"xyz(\w*)", "xyz ", "z " },
        { @"(xyz\w*\w*)", "xyz", "z" },
        { @"\d+\w*\w*", "123", "3" },
        { @"(\d+)\D* ", "123 ", " " },
        { @"^\d+(\D*)", "Test123", null },
        { @"^(\d+)\D*", "Test123", null },
        { @"\w+1 \w+2 \w+3 \w+4 \w+5", "xyz1xyz1 xyz2xyz2 xyz3xyz3 xyz4xyz4 xyz5xyz5", "5xyz5" },
        { @"(\w+1) (\w+2) (\w+3) (\w+4) (\w+5)", "xyz1xyz1 xyz2xyz2 xyz3xyz3 xyz4xyz4 xyz5", "5" },
        { @"(\w+1) (\w+2) (\w+3) (\w+4) (\w+5) (\w+6)$", "xyz1xyz1 xyz2xyz2 xyz3xyz3 xyz4xyz4 xyz5 xyz6", "6" },
        { @"(\w+1 \w+2 \w+3 \w+4 \w+5 \w+6)", "z1 x2 x3 x4x4 x5 x6", "6" },
        { @"(\w+1) (\w+2) (\w+3) (\w+4) (\w+5) (\w+6)", "z1 x2 x3 x4x4 x5 x6", "6" },
        { @"(-\d+\D\d+:)", "-04T15:", ":" },
        { @"-(\d+\D\d+):", "-04T15:", ":" },
        { @"-\d+\D\d+:", "-04T15:", ":" },
        { "()", "Test", null },

        // [Functionality] Complementary cases.
        { @"\(\)", "()", ")" },
        { @"(\(\))", "()", ")" },
        { @"\\", @"\", @"\" },
        { @"(\\)", @"\", @"\" },
        { @"\(\\\)", @"(\)", ")" },
        { @"(\(\\\))", @"(\)", ")" },
        { @"123 \W*", "123 test", " test" },
        { @"123 (\W*)", "123 test", " test" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_like_wazuh_with_substring_capture(string pattern, string log, string? endMatch)
    {
        OsRegexPattern.TryCompile(pattern, returnSubstrings: true, out var regex, out var error).ShouldBeTrue(error);

        var end = regex.Execute(log);

        if (endMatch is null)
        {
            end.ShouldBe(OsRegexEngine.NoMatch);
        }
        else
        {
            end.ShouldNotBe(OsRegexEngine.NoMatch);
            log[end..].ShouldBe(endMatch);
        }
    }

    [Fact]
    public void Generated_memory_test_patterns_have_the_documented_shape()
    {
        OsRegexPattern.CompileOrNull(TwentyAlternatives)!.AlternativeCount.ShouldBe(20);
        OsRegexPattern.CompileOrNull(ThirtyEightAlternatives)!.AlternativeCount.ShouldBe(36);
        ThirtySixFields.Count(c => c == '(').ShouldBe(36);
        ThirtySixFieldLog.ShouldEndWith("field_35=035 field_36=036");
    }

    [Theory]
    [InlineData(@"(xyz\w*\w*)", "xyz")]
    [InlineData(@"(\w*\d*\w*\d*\w*\d*)", "xy")]
    [InlineData(@"(\w*)\p*\d*\w*", "xy")]
    public void Substring_capture_changes_the_outcome_of_trailing_optional_tokens(string pattern, string log)
    {
        // analysisd's OS_Regex() compiles without OS_RETURN_SUBSTRING, and then these patterns do not match.
        OsRegexPattern.TryCompile(pattern, returnSubstrings: true, out var capturing, out _).ShouldBeTrue();
        capturing.Execute(log).ShouldNotBe(OsRegexEngine.NoMatch);
        OsRegexPattern.CompileOrNull(pattern)!.IsMatch(log).ShouldBeFalse();
    }
}
