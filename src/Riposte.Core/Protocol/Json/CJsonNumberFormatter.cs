using System.Globalization;
using System.Text;

namespace Riposte.Protocol.Json;

/// <summary>
/// Formats numbers exactly as cJSON 1.7.18 <c>print_number</c> does. Wazuh moved its external cJSON
/// from 1.7.12 to 1.7.18 in 2025 (wazuh/wazuh#29496, #29510); the two differ only here (1.7.12 has no
/// <c>%d</c> branch, so <c>-0.0</c> prints <c>-0</c>, and checks the <c>%1.15g</c> text with an exact
/// <c>==</c>).
/// </summary>
/// <remarks>
/// The algorithm, in order:
/// <list type="number">
/// <item>NaN and infinities print as <c>null</c>.</item>
/// <item>If the value equals <c>(double)valueint</c>, where <c>valueint</c> is the saturating
/// conversion to a 32-bit int cJSON stores beside every number, it prints as <c>%d</c>
/// (so <c>-0.0</c> prints as <c>0</c>).</item>
/// <item>Otherwise <c>%1.15g</c>; if reading that text back gives a double that differs from the
/// value by more than <c>DBL_EPSILON</c> relative (cJSON's <c>compare_double</c>, not an exact
/// comparison), <c>%1.17g</c> instead. Consequently some values print lossily, e.g.
/// <c>0.30000000000000004</c> prints as <c>0.3</c>.</item>
/// </list>
/// C's <c>%g</c> is emulated exactly: correctly rounded (ties to even) significant digits,
/// exponential form when the exponent is below -4 or at least the precision, trailing zeros
/// removed, and an exponent of at least two digits.
/// </remarks>
public static class CJsonNumberFormatter
{
    /// <summary>Longest text <see cref="Format(double, Span{byte})"/> can produce.</summary>
    public const int MaxLength = 24;

    /// <summary>C's <c>DBL_EPSILON</c> (2^-52); not <see cref="double.Epsilon"/>, which is the smallest subnormal.</summary>
    private const double DblEpsilon = 2.220446049250313080847263336181640625e-16;

    /// <summary>Scratch size for the formatting routines; comfortably above <see cref="MaxLength"/>.</summary>
    internal const int BufferSize = 32;

    /// <summary>Writes the cJSON text of <paramref name="value"/> as ASCII bytes.</summary>
    /// <param name="value">The number.</param>
    /// <param name="destination">Receives the text; <see cref="MaxLength"/> bytes always suffice.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small for the text.</exception>
    public static int Format(double value, Span<byte> destination)
    {
        if (destination.Length >= BufferSize)
        {
            return FormatCore(value, destination);
        }

        Span<byte> scratch = stackalloc byte[BufferSize];
        int length = FormatCore(value, scratch);
        if (length > destination.Length)
        {
            throw new ArgumentException("The destination is too small for the formatted number.", nameof(destination));
        }

        scratch[..length].CopyTo(destination);
        return length;
    }

    /// <summary>Returns the cJSON text of <paramref name="value"/>.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The text cJSON would print.</returns>
    public static string Format(double value)
    {
        Span<byte> scratch = stackalloc byte[BufferSize];
        int length = FormatCore(value, scratch);
        return Encoding.ASCII.GetString(scratch[..length]);
    }

    /// <summary>cJSON's <c>valueint</c>: saturating, truncating conversion of the stored double.</summary>
    internal static int SaturatingInt32(double value)
    {
        if (value >= int.MaxValue)
        {
            return int.MaxValue;
        }

        if (value <= int.MinValue)
        {
            return int.MinValue;
        }

        return double.IsNaN(value) ? 0 : (int)value;
    }

    /// <summary>cJSON's <c>compare_double</c>: equal within a relative <c>DBL_EPSILON</c>.</summary>
    internal static bool CompareDouble(double a, double b)
    {
        double maxVal = Math.Abs(a) > Math.Abs(b) ? Math.Abs(a) : Math.Abs(b);
        return Math.Abs(a - b) <= maxVal * DblEpsilon;
    }

    /// <summary>Formats into a buffer of at least <see cref="BufferSize"/> bytes.</summary>
    internal static int FormatCore(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
        {
            "null"u8.CopyTo(destination);
            return 4;
        }

        int valueInt = SaturatingInt32(value);
        if (value == valueInt)
        {
            valueInt.TryFormat(destination, out int intLength, default, CultureInfo.InvariantCulture);
            return intLength;
        }

        int length = FormatG(value, 15, destination);
        if (!double.TryParse(destination[..length], NumberStyles.Float, CultureInfo.InvariantCulture, out double test)
            || !CompareDouble(test, value))
        {
            length = FormatG(value, 17, destination);
        }

        return length;
    }

    /// <summary>C <c>%1.&lt;precision&gt;g</c> for a finite value.</summary>
    internal static int FormatG(double value, int precision, Span<byte> destination)
    {
        // .NET's "E" format produces exactly rounded digits (ties to even, like glibc's printf);
        // only the layout differs from %g, so take the digits and exponent from it.
        Span<byte> exponential = stackalloc byte[BufferSize];
        bool formatted = precision == 15
            ? value.TryFormat(exponential, out int length, "E14", CultureInfo.InvariantCulture)
            : value.TryFormat(exponential, out length, "E16", CultureInfo.InvariantCulture);
        if (!formatted)
        {
            throw new InvalidOperationException("Number formatting overflowed its scratch buffer.");
        }

        bool negative = exponential[0] == '-';
        int start = negative ? 1 : 0;
        Span<byte> digits = stackalloc byte[17];
        digits[0] = exponential[start];
        exponential.Slice(start + 2, precision - 1).CopyTo(digits[1..]);

        int exponentStart = start + precision + 2; // past "d." + (precision - 1) digits + 'E'
        int exponent = 0;
        for (int i = exponentStart + 1; i < length; i++)
        {
            exponent = (exponent * 10) + (exponential[i] - '0');
        }

        if (exponential[exponentStart] == '-')
        {
            exponent = -exponent;
        }

        // %g drops trailing zeros of the significand (no '#' flag).
        int significant = precision;
        while (significant > 1 && digits[significant - 1] == '0')
        {
            significant--;
        }

        int w = 0;
        if (negative)
        {
            destination[w++] = (byte)'-';
        }

        if (exponent < -4 || exponent >= precision)
        {
            destination[w++] = digits[0];
            if (significant > 1)
            {
                destination[w++] = (byte)'.';
                digits[1..significant].CopyTo(destination[w..]);
                w += significant - 1;
            }

            destination[w++] = (byte)'e';
            destination[w++] = exponent < 0 ? (byte)'-' : (byte)'+';
            int magnitude = Math.Abs(exponent);
            if (magnitude >= 100)
            {
                destination[w++] = (byte)('0' + (magnitude / 100));
            }

            destination[w++] = (byte)('0' + (magnitude / 10 % 10));
            destination[w++] = (byte)('0' + (magnitude % 10));
        }
        else if (exponent >= 0)
        {
            int integerDigits = exponent + 1;
            digits[..integerDigits].CopyTo(destination[w..]);
            w += integerDigits;
            if (significant > integerDigits)
            {
                destination[w++] = (byte)'.';
                digits[integerDigits..significant].CopyTo(destination[w..]);
                w += significant - integerDigits;
            }
        }
        else
        {
            destination[w++] = (byte)'0';
            destination[w++] = (byte)'.';
            for (int i = -1; i > exponent; i--)
            {
                destination[w++] = (byte)'0';
            }

            digits[..significant].CopyTo(destination[w..]);
            w += significant;
        }

        return w;
    }
}
