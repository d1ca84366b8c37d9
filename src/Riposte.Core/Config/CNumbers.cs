namespace Riposte.Config;

/// <summary>C library number parsing as Wazuh's C code sees it.</summary>
internal static class CNumbers
{
    /// <summary>
    /// glibc <c>atoi</c>, which is <c>(int)strtol(s, NULL, 10)</c>: leading white space, optional sign, digits;
    /// strtol saturates at the 64-bit <c>LONG_MIN</c>/<c>LONG_MAX</c> and the int conversion keeps the low 32 bits.
    /// </summary>
    public static int Atoi(ReadOnlySpan<char> s) => unchecked((int)Strtol(s));

    /// <summary>
    /// True when the number is outside the range of a C int, so <see cref="Atoi"/> is not the written value (for
    /// example <c>4294967295</c> reads as -1).
    /// </summary>
    public static bool AtoiOverflows(ReadOnlySpan<char> s)
    {
        var value = Strtol(s);
        return value is < int.MinValue or > int.MaxValue;
    }

    /// <summary>The part of <paramref name="s"/> that atoi reads: the optional sign and the digits after leading white space.</summary>
    public static string AtoiText(string s)
    {
        var start = 0;
        while (start < s.Length && IsCSpace(s[start]))
        {
            start++;
        }

        var end = start < s.Length && s[start] is '+' or '-' ? start + 1 : start;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        return s[start..end];
    }

    /// <summary>glibc <c>strtol(s, NULL, 10)</c> on LP64 Linux.</summary>
    public static long Strtol(ReadOnlySpan<char> s)
    {
        var i = 0;
        while (i < s.Length && IsCSpace(s[i]))
        {
            i++;
        }

        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        // The magnitude may reach 2^63 for LONG_MIN; beyond the limit strtol returns the limit (ERANGE).
        var limit = negative ? 1UL << 63 : long.MaxValue;
        ulong magnitude = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            var digit = (ulong)(s[i] - '0');
            if (magnitude > (limit - digit) / 10)
            {
                magnitude = limit;
                break;
            }

            magnitude = (magnitude * 10) + digit;
        }

        return negative ? unchecked((long)(0UL - magnitude)) : (long)magnitude;
    }

    /// <summary>Wazuh's <c>OS_StrIsNum</c>: non-empty and made of ASCII digits only.</summary>
    public static bool IsNum(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>C <c>isspace</c> in the C locale.</summary>
    public static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
