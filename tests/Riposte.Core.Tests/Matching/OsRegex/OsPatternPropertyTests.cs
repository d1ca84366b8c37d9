using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Riposte.Matching.OsRegex;

/// <summary>Properties of both dialects over generated patterns and inputs.</summary>
public sealed class OsPatternPropertyTests
{
    // Characters with no meaning in either dialect.
    private const string PlainChars = "abAB01,_-";

    // Subject characters: the plain ones, a few metacharacters and some non-ASCII text.
    private const string SubjectChars = "abAB01,_-. é";

    // Non-ASCII characters that .NET's case-insensitive comparison folds onto ASCII letters but Wazuh does not.
    private const string TrickyChars = "abAB01isSkKé\u0131\u0130\u017F\u212A";

    private static Gen<string> StringOf(string alphabet, int maxLength) =>
        from length in Gen.Choose(0, maxLength)
        from chars in Gen.Elements(alphabet.ToCharArray()).ArrayOf(length)
        select new string(chars);

    private static Arbitrary<(string Literal, string Subject)> LiteralAndSubject() =>
        (from literal in StringOf(PlainChars, 4)
         from subject in StringOf(SubjectChars, 12)
         select (literal, subject)).ToArbitrary();

    private static Arbitrary<(string[] Alternatives, string Subject)> AlternativesAndSubject() =>
        (from count in Gen.Choose(1, 4)
         from alternatives in StringOf(PlainChars, 3).ArrayOf(count)
         from subject in StringOf(SubjectChars, 12)
         select (alternatives, subject)).ToArbitrary();

    private static Arbitrary<(string[] Alternatives, string Subject)> TrickyAlternativesAndSubject() =>
        (from count in Gen.Choose(1, 3)
         from alternatives in
             (from anchor in Gen.Elements("", "^", "$", "^$")
              from literal in StringOf(TrickyChars, 3)
              select Anchor(literal, anchor)).ArrayOf(count)
         from subject in StringOf(TrickyChars, 8)
         select (alternatives, subject)).ToArbitrary();

    private static string Anchor(string literal, string anchor) => anchor switch
    {
        "^" => "^" + literal,
        "$" => literal + "$",
        "^$" => "^" + literal + "$",
        _ => literal,
    };

    // Random OS_Regex source text: escapes with and without quantifiers, groups (balanced or not), anchors,
    // alternatives and literal characters, so both valid and rejected patterns come up.
    private static readonly string[] Tokens =
    [
        "a", "b", "1", " ", ",", ".", "_", "A", "+", "*",
        @"\d", @"\w", @"\s", @"\p", @"\.", @"\W", @"\D", @"\S", @"\t", @"\$", @"\|", @"\(", @"\)", @"\\", @"\<",
        @"\d+", @"\w+", @"\s+", @"\p+", @"\.+", @"\W+", @"\D+", @"\S+",
        @"\d*", @"\w*", @"\s*", @"\p*", @"\.*", @"\W*", @"\D*", @"\S*",
        "(", ")", "|", "^", "$",
    ];

    private static Arbitrary<(string Pattern, string Subject)> PatternAndSubject() =>
        (from count in Gen.Choose(0, 8)
         from tokens in Gen.Elements(Tokens).ArrayOf(count)
         from subject in StringOf("ab1 ,._\t$|()<\\AB9-@é", 14)
         select (string.Concat(tokens), subject)).ToArbitrary();

    [Property(MaxTest = 500)]
    public Property Plain_regex_is_a_case_insensitive_substring_test() =>
        Prop.ForAll(LiteralAndSubject(), c =>
            Regex(c.Literal).IsMatch(c.Subject) == c.Subject.Contains(c.Literal, StringComparison.OrdinalIgnoreCase));

    [Property(MaxTest = 500)]
    public Property Alternatives_match_when_any_alternative_is_a_substring() =>
        Prop.ForAll(AlternativesAndSubject(), c =>
            Regex(string.Join('|', c.Alternatives)).IsMatch(c.Subject)
                == c.Alternatives.Any(a => c.Subject.Contains(a, StringComparison.OrdinalIgnoreCase)));

    [Property(MaxTest = 500)]
    public Property Regex_anchors_mean_prefix_suffix_and_equality() =>
        Prop.ForAll(LiteralAndSubject(), c =>
            Regex("^" + c.Literal).IsMatch(c.Subject) == c.Subject.StartsWith(c.Literal, StringComparison.OrdinalIgnoreCase)
            && Regex("^" + c.Literal + "$").IsMatch(c.Subject) == c.Subject.Equals(c.Literal, StringComparison.OrdinalIgnoreCase)
            && (c.Literal.Length == 0
                || Regex(c.Literal + "$").IsMatch(c.Subject) == c.Subject.EndsWith(c.Literal, StringComparison.OrdinalIgnoreCase)));

    [Property(MaxTest = 500)]
    public Property Upper_casing_a_plain_regex_or_its_subject_changes_nothing() =>
        Prop.ForAll(LiteralAndSubject(), c =>
        {
            var expected = Regex(c.Literal).IsMatch(c.Subject);
            return Regex(c.Literal.ToUpperInvariant()).IsMatch(c.Subject) == expected
                && Regex(c.Literal.ToLowerInvariant()).IsMatch(c.Subject) == expected
                && Regex(c.Literal).IsMatch(c.Subject.ToUpperInvariant()) == expected;
        });

    [Property(MaxTest = 1000)]
    public Property Literal_shortcut_agrees_with_the_ported_matcher() =>
        Prop.ForAll(TrickyAlternativesAndSubject(), c =>
        {
            var regex = Regex(string.Join('|', c.Alternatives));
            return regex.IsMatch(c.Subject) == (regex.Execute(c.Subject) != OsRegexEngine.NoMatch);
        });

    [Property(MaxTest = 2000)]
    public Property Any_pattern_compiles_or_is_rejected_and_matches_consistently() =>
        Prop.ForAll(PatternAndSubject(), c =>
        {
            if (!OsRegexPattern.TryCompile(c.Pattern, out var regex, out var error))
            {
                return !string.IsNullOrEmpty(error) && OsRegexPattern.CompileOrNull(c.Pattern) is null;
            }

            var matched = regex.IsMatch(c.Subject);

            // Every escape class holds both cases of each ASCII letter, and literals are folded, so the case
            // of ASCII letters in the subject cannot matter.
            return matched == (regex.Execute(c.Subject) != OsRegexEngine.NoMatch)
                && matched == regex.IsMatch(AsciiUpper(c.Subject))
                && matched == regex.IsMatch(AsciiLower(c.Subject));
        });

    [Property(MaxTest = 500)]
    public Property Plain_match_is_a_case_insensitive_substring_test() =>
        Prop.ForAll(LiteralAndSubject(), c =>
            Match(c.Literal).IsMatch(c.Subject) == c.Subject.Contains(c.Literal, StringComparison.OrdinalIgnoreCase)
            && Match(c.Literal.ToUpperInvariant()).IsMatch(c.Subject.ToLowerInvariant())
                == Match(c.Literal).IsMatch(c.Subject));

    [Property(MaxTest = 500)]
    public Property Match_alternatives_and_anchors() =>
        Prop.ForAll(AlternativesAndSubject(), c =>
        {
            var subject = c.Subject;
            var prefix = Match(string.Join('|', c.Alternatives.Select(a => "^" + a))).IsMatch(subject)
                == c.Alternatives.Any(a => subject.StartsWith(a, StringComparison.OrdinalIgnoreCase));
            var suffix = Match(string.Join('|', c.Alternatives.Select(a => a + "$"))).IsMatch(subject)
                == c.Alternatives.Any(a => subject.EndsWith(a, StringComparison.OrdinalIgnoreCase));
            var exact = Match(string.Join('|', c.Alternatives.Select(a => "^" + a + "$"))).IsMatch(subject)
                == c.Alternatives.Any(a => subject.Equals(a, StringComparison.OrdinalIgnoreCase));
            var contains = Match(string.Join('|', c.Alternatives)).IsMatch(subject)
                == c.Alternatives.Any(a => subject.Contains(a, StringComparison.OrdinalIgnoreCase));
            return prefix && suffix && exact && contains;
        });

    [Property(MaxTest = 500)]
    public Property Bang_inverts_a_match() =>
        Prop.ForAll(AlternativesAndSubject(), c =>
        {
            var pattern = string.Join('|', c.Alternatives);
            return Match("!" + pattern).IsMatch(c.Subject) == !Match(pattern).IsMatch(c.Subject);
        });

    [Property(MaxTest = 1000)]
    public Property Match_folds_only_ascii_letters() =>
        Prop.ForAll(TrickyAlternativesAndSubject(), c =>
            Match(string.Join('|', c.Alternatives)).IsMatch(c.Subject)
                == c.Alternatives.Any(a => ReferenceMatch(a, c.Subject)));

    [Property(MaxTest = 500)]
    public Property Both_dialects_agree_on_non_empty_plain_alternatives() =>
        Prop.ForAll(AlternativesAndSubject(), c =>
        {
            // The dialects only part ways on empty alternatives ('$' alone) and on escapes.
            var pattern = string.Join('|', c.Alternatives.Where(a => a.Length > 0).Select((a, i) => Anchor(a, (i % 4) switch
            {
                0 => "",
                1 => "^",
                2 => "$",
                _ => "^$",
            })));
            return pattern.Length == 0 || Regex(pattern).IsMatch(c.Subject) == Match(pattern).IsMatch(c.Subject);
        });

    // OSMatch spelled out with an ASCII-only fold, independent of the production code.
    private static bool ReferenceMatch(string alternative, string subject)
    {
        var folded = AsciiLower(subject);
        if (alternative.Length >= 2 && alternative[0] == '^' && alternative[^1] == '$')
        {
            return folded == AsciiLower(alternative[1..^1]);
        }

        if (alternative.Length == 0)
        {
            return true;
        }

        if (alternative[^1] == '$')
        {
            return folded.EndsWith(AsciiLower(alternative[..^1]), StringComparison.Ordinal);
        }

        return alternative[0] == '^'
            ? folded.StartsWith(AsciiLower(alternative[1..]), StringComparison.Ordinal)
            : folded.Contains(AsciiLower(alternative), StringComparison.Ordinal);
    }

    private static string AsciiLower(string text) =>
        string.Concat(text.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c));

    private static string AsciiUpper(string text) =>
        string.Concat(text.Select(c => c is >= 'a' and <= 'z' ? (char)(c - 32) : c));

    private static OsRegexPattern Regex(string pattern) =>
        OsRegexPattern.CompileOrNull(pattern) ?? throw new InvalidOperationException($"'{pattern}' should compile");

    private static OsMatchPattern Match(string pattern) =>
        OsMatchPattern.CompileOrNull(pattern) ?? throw new InvalidOperationException($"'{pattern}' should compile");
}
