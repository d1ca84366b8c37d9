namespace Riposte.Config;

/// <summary>C library number parsing as Wazuh's C code sees it.</summary>
internal static class CNumbers
{
    /// <summary>glibc <c>atoi</c>: leading white space, optional sign, digits; overflow saturates as <c>strtol</c> then truncates to int.</summary>
    public static int Atoi(ReadOnlySpan<char> s)
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

        long value = 0;
        var overflow = false;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (!overflow)
            {
                value = (value * 10) + (s[i] - '0');
                if (value > int.MaxValue * 4L)
                {
                    overflow = true;
                }
            }
        }

        if (overflow)
        {
            // strtol saturates at LONG_MIN/LONG_MAX; the int conversion keeps the low 32 bits.
            return negative ? unchecked((int)long.MinValue) : unchecked((int)long.MaxValue);
        }

        return unchecked((int)(negative ? -value : value));
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
