using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Riposte.Matching.OsRegex;

/// <summary>
/// A compiled pattern in Wazuh's OS_Regex dialect (<c>src/os_regex</c>), matching exactly as wazuh-analysisd
/// 4.x does, e.g. for an active response's <c>&lt;rules_group&gt;</c> against the rule's group string.
/// </summary>
/// <remarks>
/// <para>
/// The dialect: matching is case-insensitive for ASCII letters and unanchored unless an alternative starts
/// with <c>^</c> or ends with <c>$</c>; <c>|</c> separates alternatives; <c>\d \w \s \p \D \W \S \t</c> are
/// byte classes (Wazuh's <c>\w</c> also accepts <c>-</c> and <c>@</c>, its <c>\s</c> is only the space and
/// <c>\p</c> is a fixed punctuation set); <c>\.</c> is any byte while a bare <c>.</c> is a literal dot;
/// <c>\$ \| \( \) \\ \&lt;</c> are literal; <c>+</c> and <c>*</c> quantify the preceding escape only (after
/// a literal they are literal characters); <c>(</c> and <c>)</c> delimit a group, at most one level deep and
/// never around a <c>|</c>. An empty alternative matches everything, <c>^</c> alone too, but <c>$</c> alone and
/// <c>^$</c> only match the empty string.
/// </para>
/// <para>
/// Matching follows Wazuh's single-pass, mostly non-backtracking algorithm (see <see cref="OsRegexEngine"/>),
/// quirks included. Input is treated as Wazuh treats a C string: it ends at the first NUL, and non-ASCII text
/// is matched as its UTF-8 bytes. Instances are immutable and thread-safe, and <see cref="IsMatch"/> does not
/// allocate.
/// </para>
/// </remarks>
public sealed class OsRegexPattern
{
    /// <summary>Wazuh's <c>OS_PATTERN_MAXSIZE</c> (4.x): longer patterns, in bytes, fail to compile.</summary>
    internal const int MaxPatternBytes = 20480;

    // Subjects up to this many UTF-8 bytes are transcoded on the stack; longer ones use the shared pool.
    private const int StackSubjectLimit = 1024;

    private readonly Alternative[] _alternatives;
    private readonly OsLiteralSet _literals;
    private readonly Alternative[] _programs;
    private readonly bool _captureMode;

    private OsRegexPattern(string pattern, Alternative[] alternatives, bool captureMode)
    {
        Pattern = pattern;
        _alternatives = alternatives;
        _captureMode = captureMode;
        _literals = new OsLiteralSet([.. alternatives.Select(a => a.Literal).OfType<OsLiteral>()]);
        _programs = [.. alternatives.Where(a => a.Literal is null)];
    }

    /// <summary>The pattern text as given.</summary>
    public string Pattern { get; }

    /// <summary>Number of <c>|</c>-separated alternatives.</summary>
    internal int AlternativeCount => _alternatives.Length;

    /// <summary>
    /// Compiles <paramref name="pattern"/> with Wazuh's <c>OSRegex_Compile</c> rules (case-insensitive, no
    /// substring capture).
    /// </summary>
    /// <param name="pattern">The OS_Regex pattern.</param>
    /// <param name="regex">The compiled pattern when compilation succeeds.</param>
    /// <param name="error">Why Wazuh would reject the pattern when compilation fails.</param>
    /// <returns><see langword="true"/> when Wazuh would accept the pattern.</returns>
    public static bool TryCompile(
        string pattern,
        [NotNullWhen(true)] out OsRegexPattern? regex,
        [NotNullWhen(false)] out string? error) =>
        TryCompile(pattern, returnSubstrings: false, out regex, out error);

    /// <summary>
    /// Compiles <paramref name="pattern"/>, returning <see langword="null"/> where Wazuh's compiler fails
    /// (analysisd then treats the pattern as never matching).
    /// </summary>
    /// <param name="pattern">The OS_Regex pattern.</param>
    /// <returns>The compiled pattern, or <see langword="null"/>.</returns>
    public static OsRegexPattern? CompileOrNull(string pattern) =>
        TryCompile(pattern, out var regex, out _) ? regex : null;

    /// <summary>
    /// Compiles as <c>OSRegex_Compile</c> does; <paramref name="returnSubstrings"/> mirrors its
    /// <c>OS_RETURN_SUBSTRING</c> flag, which changes how some patterns with groups match.
    /// </summary>
    internal static bool TryCompile(
        string? pattern,
        bool returnSubstrings,
        [NotNullWhen(true)] out OsRegexPattern? regex,
        [NotNullWhen(false)] out string? error)
    {
        regex = null;
        if (pattern is null)
        {
            error = "The pattern is null (OS_REGEX_PATTERN_NULL).";
            return false;
        }

        // Wazuh only ever sees the pattern up to its first NUL.
        var text = TruncateAtNul(pattern.AsSpan());
        var byteCount = Encoding.UTF8.GetByteCount(text);
        if (byteCount > MaxPatternBytes)
        {
            error = $"The pattern is longer than {MaxPatternBytes} bytes (OS_REGEX_MAXSIZE).";
            return false;
        }

        var work = new byte[byteCount];
        Encoding.UTF8.GetBytes(text, work);
        if (!Translate(work, out var groupCount, out error))
        {
            return false;
        }

        var captureMode = returnSubstrings && groupCount > 0;
        var alternatives = new List<Alternative>();
        var start = 0;
        for (var i = 0; i <= work.Length; i++)
        {
            if (i == work.Length || work[i] == '|')
            {
                alternatives.Add(Alternative.Create(work.AsSpan(start, i - start)));
                start = i + 1;
            }
        }

        regex = new OsRegexPattern(pattern, [.. alternatives], captureMode);
        return true;
    }

    /// <summary>Tests <paramref name="input"/> as <c>OSRegex_Execute</c> would: true when any alternative matches.</summary>
    /// <param name="input">The text to test, e.g. a rule's comma-joined group list.</param>
    /// <returns><see langword="true"/> when Wazuh would report a match.</returns>
    public bool IsMatch(ReadOnlySpan<char> input)
    {
        var subject = TruncateAtNul(input);
        var subjectIsAscii = Ascii.IsValid(subject);
        if (_literals.Count != 0 && _literals.IsMatch(subject, subjectIsAscii))
        {
            return true;
        }

        return _programs.Length != 0 && RunPrograms(_programs, subject, subjectIsAscii) != OsRegexEngine.NoMatch;
    }

    /// <summary>
    /// Runs every alternative through the ported matcher (no literal shortcut) and returns what
    /// <c>OSRegex_Execute</c> returns: the byte offset of the last matched byte, or
    /// <see cref="OsRegexEngine.NoMatch"/>.
    /// </summary>
    internal int Execute(ReadOnlySpan<char> input)
    {
        var subject = TruncateAtNul(input);
        return RunPrograms(_alternatives, subject, Ascii.IsValid(subject));
    }

    /// <inheritdoc/>
    public override string ToString() => Pattern;

    private int RunPrograms(Alternative[] alternatives, ReadOnlySpan<char> subject, bool subjectIsAscii)
    {
        var byteCount = subjectIsAscii ? subject.Length : Encoding.UTF8.GetByteCount(subject);
        var size = byteCount + 1;
        byte[]? rented = null;
        Span<byte> buffer = size <= StackSubjectLimit
            ? stackalloc byte[size]
            : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var written = Encoding.UTF8.GetBytes(subject, buffer);
            buffer[written] = 0;
            ReadOnlySpan<byte> utf8 = buffer[..(written + 1)];
            foreach (var alternative in alternatives)
            {
                var result = OsRegexEngine.Execute(alternative.Program, alternative.Flags, utf8, _captureMode);
                if (result != OsRegexEngine.NoMatch)
                {
                    return result;
                }
            }

            return OsRegexEngine.NoMatch;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    internal static ReadOnlySpan<char> TruncateAtNul(ReadOnlySpan<char> text)
    {
        var nul = text.IndexOf('\0');
        return nul < 0 ? text : text[..nul];
    }

    /// <summary>
    /// The first pass of <c>OSRegex_Compile</c>, in place: validates escapes and groups, replaces each escaped
    /// character by its code, turns <c>)</c> into <c>(</c> and folds ASCII upper case.
    /// </summary>
    private static bool Translate(byte[] work, out int groupCount, [NotNullWhen(false)] out string? error)
    {
        groupCount = 0;
        var depth = 0;
        var i = 0;
        while (i < work.Length)
        {
            if (work[i] == '\\')
            {
                i++;
                var code = i < work.Length ? OsCharClasses.EscapeCode(work[i]) : (byte)0;
                if (code == 0)
                {
                    error = i < work.Length
                        ? $"Invalid escape sequence at byte {i - 1}: only \\d \\w \\s \\p \\D \\W \\S \\. \\t \\$ \\| \\< \\( \\) \\\\ are allowed (OS_REGEX_BADREGEX)."
                        : "The pattern ends with a lone backslash (OS_REGEX_BADREGEX).";
                    return false;
                }

                work[i] = code;
                i++;
                continue;
            }

            if (work[i] == '(')
            {
                depth++;
            }
            else if (work[i] == ')')
            {
                // Wazuh does not distinguish opening and closing markers once validated.
                work[i] = (byte)'(';
                depth--;
                groupCount++;
            }

            if (depth is not 0 and not 1)
            {
                error = $"Unbalanced or nested parenthesis at byte {i} (OS_REGEX_BADPARENTHESIS).";
                return false;
            }

            work[i] = OsCharClasses.Fold(work[i]);
            if (work[i] == '|' && depth != 0)
            {
                error = $"'|' inside a group at byte {i} (OS_REGEX_BADPARENTHESIS).";
                return false;
            }

            i++;
        }

        if (depth != 0)
        {
            error = "Unclosed parenthesis (OS_REGEX_BADPARENTHESIS).";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>One <c>|</c>-separated alternative: its program, anchors and, when it is a plain literal, that literal.</summary>
    private sealed class Alternative
    {
        private Alternative(byte[] program, int flags, OsLiteral? literal)
        {
            Program = program;
            Flags = flags;
            Literal = literal;
        }

        public byte[] Program { get; }

        public int Flags { get; }

        public OsLiteral? Literal { get; }

        public static Alternative Create(ReadOnlySpan<byte> segment)
        {
            var flags = 0;
            if (!segment.IsEmpty && segment[0] == '^')
            {
                segment = segment[1..];
                flags |= OsRegexEngine.BeginFlag;
            }

            // An escaped '$' was already replaced by its code, so only a bare one can end up here.
            if (!segment.IsEmpty && segment[^1] == '$')
            {
                segment = segment[..^1];
                flags |= OsRegexEngine.EndFlag;
            }

            var program = new byte[segment.Length + OsRegexEngine.ProgramPadding];
            segment.CopyTo(program);

            // Without escapes or group markers the ported matcher reduces to a plain substring, prefix, suffix
            // or equality test, which the literal path answers with the same result much faster.
            OsLiteral? literal = null;
            if (segment.IndexOfAny((byte)'\\', (byte)'(') < 0)
            {
                literal = new OsLiteral(Encoding.UTF8.GetString(segment), LiteralAnchor(flags, segment.IsEmpty));
            }

            return new Alternative(program, flags, literal);
        }

        private static OsLiteralAnchor LiteralAnchor(int flags, bool empty) => flags switch
        {
            OsRegexEngine.BeginFlag | OsRegexEngine.EndFlag => OsLiteralAnchor.Exact,
            OsRegexEngine.BeginFlag => OsLiteralAnchor.Prefix,

            // An empty alternative with only '$' matches nothing but the empty string: Wazuh's matcher forgets
            // its start position at the first byte that cannot be "the end".
            OsRegexEngine.EndFlag => empty ? OsLiteralAnchor.Exact : OsLiteralAnchor.Suffix,
            _ => OsLiteralAnchor.Contains,
        };
    }
}
