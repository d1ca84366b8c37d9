using System.Globalization;
using System.Numerics;
using System.Text;

namespace Riposte.Protocol.Json;

/// <summary>
/// Slow but obviously-correct model of cJSON 1.7.18 <c>print_number</c> and glibc's <c>%g</c>, built
/// on exact BigInteger arithmetic so it shares nothing with the production formatter.
/// </summary>
internal static class ReferenceCJson
{
    public static string PrintNumber(double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            return "null";
        }

        int valueInt = d >= int.MaxValue ? int.MaxValue : d <= int.MinValue ? int.MinValue : (int)d;
        if (d == valueInt)
        {
            return valueInt.ToString(CultureInfo.InvariantCulture);
        }

        string text = FormatG(d, 15);
        double test = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!CompareDouble(test, d))
        {
            text = FormatG(d, 17);
        }

        return text;
    }

    public static bool CompareDouble(double a, double b)
    {
        double maxVal = Math.Max(Math.Abs(a), Math.Abs(b));
        return Math.Abs(a - b) <= maxVal * Math.Pow(2, -52);
    }

    /// <summary>C <c>printf("%1.{precision}g", value)</c> with round-half-even on the exact binary value.</summary>
    public static string FormatG(double value, int precision)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        bool negative = value < 0;
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int biased = (int)(bits >> 52);
        long fraction = bits & ((1L << 52) - 1);
        long mantissa = biased == 0 ? fraction : fraction | (1L << 52);
        int binaryExponent = biased == 0 ? -1074 : biased - 1075;

        // value = numerator / denominator exactly.
        BigInteger numerator = mantissa;
        BigInteger denominator = BigInteger.One;
        if (binaryExponent >= 0)
        {
            numerator <<= binaryExponent;
        }
        else
        {
            denominator <<= -binaryExponent;
        }

        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        while (CompareWithPowerOfTen(numerator, denominator, exponent) < 0)
        {
            exponent--;
        }

        while (CompareWithPowerOfTen(numerator, denominator, exponent + 1) >= 0)
        {
            exponent++;
        }

        BigInteger digits = RoundScaled(numerator, denominator, precision - 1 - exponent);
        if (digits == BigInteger.Pow(10, precision))
        {
            digits /= 10;
            exponent++;
        }

        string significand = digits.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        if (negative)
        {
            text.Append('-');
        }

        if (exponent < -4 || exponent >= precision)
        {
            string fractionDigits = significand[1..].TrimEnd('0');
            text.Append(significand[0]);
            if (fractionDigits.Length > 0)
            {
                text.Append('.').Append(fractionDigits);
            }

            text.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else
        {
            // Fixed notation with precision - 1 - exponent decimals, then trailing zeros dropped.
            int decimals = precision - 1 - exponent;
            string padded = significand.PadLeft(decimals + 1, '0');
            string integerPart = padded[..^decimals];
            string fractionPart = padded[^decimals..].TrimEnd('0');
            text.Append(decimals == 0 ? padded : integerPart);
            if (decimals > 0 && fractionPart.Length > 0)
            {
                text.Append('.').Append(fractionPart);
            }
        }

        return text.ToString();
    }

    private static int CompareWithPowerOfTen(BigInteger numerator, BigInteger denominator, int power) =>
        power >= 0
            ? numerator.CompareTo(denominator * BigInteger.Pow(10, power))
            : (numerator * BigInteger.Pow(10, -power)).CompareTo(denominator);

    /// <summary>round_half_even(numerator / denominator * 10^scale).</summary>
    private static BigInteger RoundScaled(BigInteger numerator, BigInteger denominator, int scale)
    {
        if (scale >= 0)
        {
            numerator *= BigInteger.Pow(10, scale);
        }
        else
        {
            denominator *= BigInteger.Pow(10, -scale);
        }

        BigInteger quotient = BigInteger.DivRem(numerator, denominator, out BigInteger remainder);
        int half = (remainder * 2).CompareTo(denominator);
        if (half > 0 || (half == 0 && !quotient.IsEven))
        {
            quotient++;
        }

        return quotient;
    }
}
