using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Riposte.Protocol.Json;

public sealed class CJsonNumberFormatterTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(-1.0, "-1")]
    [InlineData(1e3, "1000")]
    [InlineData(2147483647.0, "2147483647")]
    [InlineData(2147483648.0, "2147483648")] // valueint saturates at INT_MAX, so %1.15g
    [InlineData(-2147483648.0, "-2147483648")]
    [InlineData(-2147483649.0, "-2147483649")]
    [InlineData(3000000000.0, "3000000000")]
    [InlineData(2147483647.5, "2147483647.5")]
    [InlineData(-2147483648.5, "-2147483648.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(123.456, "123.456")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e14, "100000000000000")]
    [InlineData(1e15, "1e+15")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e300, "1e+300")]
    [InlineData(-1e-300, "-1e-300")]
    [InlineData(5e-324, "4.94065645841247e-324")] // subnormal: %1.15g of the exact value, not the shortest form
    [InlineData(12345678901234567890.0, "1.2345678901234567e+19")]
    [InlineData(123456789012345680000.0, "1.2345678901234568e+20")]
    [InlineData(1.0 / 3.0, "0.33333333333333331")]
    [InlineData(2.0 / 3.0, "0.66666666666666663")]
    [InlineData(100.0 / 3.0, "33.333333333333336")]
    [InlineData(0.000123456789012345678, "0.00012345678901234567")]
    [InlineData(0.000123456789012345, "0.000123456789012345")]
    public void FormatsLikeCJson(double value, string expected)
    {
        CJsonNumberFormatter.Format(value).ShouldBe(expected);
        ReferenceCJson.PrintNumber(value).ShouldBe(expected);
    }

    [Fact]
    public void NegativeZeroPrintsAsZero()
    {
        // -0.0 == (double)valueint (0), so the %d branch prints it; %1.15g would have printed "-0".
        CJsonNumberFormatter.Format(-0.0).ShouldBe("0");
        ReferenceCJson.FormatG(-0.0, 15).ShouldBe("-0");
    }

    [Theory]
    [InlineData(0.30000000000000004, "0.3")]
    [InlineData(0.7999999999999999, "0.8")]
    [InlineData(1.0000000000000002, "1")]
    public void AcceptsFifteenDigitsWithinRelativeEpsilonLikeCompareDouble(double value, string expected)
    {
        // cJSON 1.7.18 checks the %1.15g text with compare_double (relative DBL_EPSILON), not ==,
        // so these print lossily; 1.0000000000000002 is not integral, so it reaches that check too.
        CJsonNumberFormatter.Format(value).ShouldBe(expected);
        double.Parse(expected, CultureInfo.InvariantCulture).ShouldNotBe(value);
    }

    [Fact]
    public void BreaksExactTiesToEvenLikeGlibc()
    {
        // 2^-25 = 2.98023223876953125e-08 exactly: the 17-digit rounding is an exact tie.
        double value = Math.Pow(2, -25);
        CJsonNumberFormatter.Format(value).ShouldBe("2.9802322387695312e-08");
        CJsonNumberFormatter.FormatG(value, 15, new byte[32]).ShouldBe(20); // "2.98023223876953e-08"
    }

    [Fact]
    public void PrintsDoubleMaxWithFifteenDigitsEvenThoughTheTextOverflows()
    {
        // strtod("1.79769313486232e+308") is +inf, and compare_double(inf, DBL_MAX) is true
        // because inf <= inf * DBL_EPSILON.
        CJsonNumberFormatter.Format(double.MaxValue).ShouldBe("1.79769313486232e+308");
        CJsonNumberFormatter.Format(-double.MaxValue).ShouldBe("-1.79769313486232e+308");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteValuesPrintAsNull(double value) => CJsonNumberFormatter.Format(value).ShouldBe("null");

    [Fact]
    public void SpanOverloadWritesAsciiAndRejectsShortDestinations()
    {
        Span<byte> exact = stackalloc byte[CJsonNumberFormatter.MaxLength];
        int written = CJsonNumberFormatter.Format(-2.2250738585072014e-308, exact);
        Encoding.ASCII.GetString(exact[..written]).ShouldBe("-2.2250738585072014e-308");
        written.ShouldBe(CJsonNumberFormatter.MaxLength);

        byte[] small = new byte[3];
        CJsonNumberFormatter.Format(42, small).ShouldBe(2);
        Should.Throw<ArgumentException>(() => CJsonNumberFormatter.Format(1234, small));
    }

    [Fact]
    public void MatchesReferenceForRandomBitPatterns()
    {
        var random = new Random(20251127);
        Span<byte> buffer = stackalloc byte[64];
        for (int i = 0; i < 40_000; i++)
        {
            double value = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
            string expected = ReferenceCJson.PrintNumber(value);
            int length = CJsonNumberFormatter.Format(value, buffer);
            string actual = Encoding.ASCII.GetString(buffer[..length]);
            if (actual != expected)
            {
                actual.ShouldBe(expected, $"bits 0x{BitConverter.DoubleToInt64Bits(value):X16}");
            }
        }
    }

    [Fact]
    public void MatchesReferenceForShortDecimalsAndTheirNeighbours()
    {
        // Values written with few digits, and the doubles next to them, exercise the 15-vs-17 digit
        // decision and compare_double's tolerance far more often than random bit patterns do.
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            double basis = Math.Round(random.NextDouble() * 1000, random.Next(0, 6)) * Math.Pow(10, random.Next(-30, 30));
            foreach (double value in new[] { basis, Math.BitIncrement(basis), Math.BitDecrement(basis), basis * 3, basis / 7 })
            {
                CJsonNumberFormatter.Format(value).ShouldBe(ReferenceCJson.PrintNumber(value));
            }
        }
    }

    [Property(MaxTest = 2000)]
    public void MatchesReferenceForArbitraryDoubles(double value) =>
        CJsonNumberFormatter.Format(value).ShouldBe(ReferenceCJson.PrintNumber(value));

    [Property(MaxTest = 2000, Arbitrary = [typeof(BitPatternDoubles)])]
    public void FormattedTextParsesBackToTheValueWithinCompareDouble(double value)
    {
        string text = CJsonNumberFormatter.Format(value);
        if (!double.IsFinite(value))
        {
            text.ShouldBe("null");
            return;
        }

        double parsed = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(parsed))
        {
            return; // within half a 15-digit unit of DBL_MAX: see PrintsDoubleMaxWithFifteenDigits...
        }

        ReferenceCJson.CompareDouble(parsed, value).ShouldBeTrue(text);
        if (text.Replace("-", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal).Split('e')[0].TrimStart('0').Length > 15)
        {
            // More than 15 significant digits means %1.17g was chosen, which always round-trips.
            parsed.ShouldBe(value);
        }
    }

    [Property(MaxTest = 2000, Arbitrary = [typeof(BitPatternDoubles)])]
    public void MatchesReferenceForBitPatternDoubles(double value) =>
        CJsonNumberFormatter.Format(value).ShouldBe(ReferenceCJson.PrintNumber(value));

    /// <summary>Doubles from uniformly random bit patterns: every exponent, subnormals and specials.</summary>
    public static class BitPatternDoubles
    {
        public static Arbitrary<double> Doubles() =>
            Arb.From(
                from high in Gen.Choose(0, (1 << 22) - 1)
                from middle in Gen.Choose(0, (1 << 21) - 1)
                from low in Gen.Choose(0, (1 << 21) - 1)
                select BitConverter.Int64BitsToDouble(((long)high << 42) | ((long)middle << 21) | (long)low));
    }
}
