namespace Riposte.Matching.OsRegex;

/// <summary>
/// Byte-level tables shared by the OS_Regex and OSMatch ports: Wazuh's ASCII-only case map and the
/// membership tables behind each <c>\x</c> escape (Wazuh's <c>regexmap</c> in <c>os_regex_maps.c</c>).
/// </summary>
/// <remarks>
/// Wazuh works on the raw bytes of C strings, so these tables are indexed by byte. Non-ASCII text only ever
/// reaches them as UTF-8 bytes (all &gt;= 0x80), which no positive class other than <c>\.</c> accepts.
/// </remarks>
internal static class OsCharClasses
{
    /// <summary>The escape codes, numbered exactly as <c>OSRegex_Compile</c> numbers them.</summary>
    internal const byte Digit = 1;
    internal const byte Word = 2;
    internal const byte Space = 3;
    internal const byte Punctuation = 4;
    internal const byte OpenParenthesis = 5;
    internal const byte CloseParenthesis = 6;
    internal const byte Backslash = 7;
    internal const byte NonDigit = 8;
    internal const byte NonWord = 9;
    internal const byte NonSpace = 10;
    internal const byte AnyByte = 11;
    internal const byte Tab = 12;
    internal const byte Dollar = 13;
    internal const byte Pipe = 14;
    internal const byte LessThan = 15;

    private const int CodeCount = 16;

    // Flattened [code, byte] table; a byte array (not bool[]) keeps the lookup a single load.
    private static readonly byte[] Membership = BuildMembership();

    /// <summary>Maps the character after a backslash to its escape code, or 0 when Wazuh rejects it.</summary>
    internal static byte EscapeCode(byte escaped) => escaped switch
    {
        (byte)'d' => Digit,
        (byte)'w' => Word,
        (byte)'s' => Space,
        (byte)'p' => Punctuation,
        (byte)'(' => OpenParenthesis,
        (byte)')' => CloseParenthesis,
        (byte)'\\' => Backslash,
        (byte)'D' => NonDigit,
        (byte)'W' => NonWord,
        (byte)'S' => NonSpace,
        (byte)'.' => AnyByte,
        (byte)'t' => Tab,
        (byte)'$' => Dollar,
        (byte)'|' => Pipe,
        (byte)'<' => LessThan,
        _ => 0,
    };

    /// <summary>Whether <paramref name="value"/> belongs to the class of escape <paramref name="code"/>.</summary>
    internal static bool IsInClass(byte code, byte value) => Membership[(code << 8) | value] != 0;

    /// <summary>Wazuh's <c>charmap</c>: folds ASCII upper case to lower case and leaves every other byte alone.</summary>
    internal static byte Fold(byte value) => (uint)(value - 'A') <= 'Z' - 'A' ? (byte)(value | 0x20) : value;

    /// <summary>The same fold applied to a UTF-16 code unit (non-ASCII code units are never folded).</summary>
    internal static char Fold(char value) => (uint)(value - 'A') <= 'Z' - 'A' ? (char)(value | 0x20) : value;

    private static bool IsDigit(int b) => b is >= '0' and <= '9';

    // Wazuh's \w also accepts '-' and '@' (see test_regexmap_word in wazuh's unit tests).
    private static bool IsWord(int b) =>
        b is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '@' or '_';

    private static bool IsPunctuation(int b) => "<>!?\"'#$%&()+*,-:|.;=[]{}".Contains((char)b, StringComparison.Ordinal);

    private static byte[] BuildMembership()
    {
        var table = new byte[CodeCount * 256];
        for (var b = 0; b < 256; b++)
        {
            Set(Digit, IsDigit(b));
            Set(Word, IsWord(b));
            Set(Space, b == ' ');
            Set(Punctuation, IsPunctuation(b));
            Set(OpenParenthesis, b == '(');
            Set(CloseParenthesis, b == ')');
            Set(Backslash, b == '\\');
            Set(NonDigit, !IsDigit(b));
            Set(NonWord, !IsWord(b));
            Set(NonSpace, b != ' ');
            Set(AnyByte, true);
            Set(Tab, b == '\t');
            Set(Dollar, b == '$');
            Set(Pipe, b == '|');
            Set(LessThan, b == '<');

            void Set(byte code, bool member) => table[(code << 8) | b] = member ? (byte)1 : (byte)0;
        }

        return table;
    }
}
