namespace Riposte.Matching;

/// <summary>analysisd's guards against log injection through decoded fields (warnings 1271 and 1272).</summary>
public static class FieldSanity
{
    /// <summary><c>^[a-zA-Z.:_0-9-]*$</c>.</summary>
    public static bool IsSaneSrcIp(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or ':' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>^[a-zA-Z._0-9@?-]*$</c>.</summary>
    public static bool IsSaneDstUser(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '?' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
