namespace Riposte.Config;

/// <summary>glibc's <c>atoi</c> is <c>(int)strtol(s, NULL, 10)</c>: strtol saturates at the 64-bit limits, the cast keeps the low 32 bits.</summary>
public sealed class CNumbersTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("  +42abc", 42)]
    [InlineData("-17", -17)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("2147483648", int.MinValue)]
    [InlineData("4294967295", -1)]
    [InlineData("4294967296", 0)]
    [InlineData("4294967297", 1)]
    [InlineData("8589934593", 1)]
    [InlineData("9223372036854775807", -1)]
    [InlineData("9223372036854775808", -1)]
    [InlineData("99999999999999999999999", -1)]
    [InlineData("-9223372036854775808", 0)]
    [InlineData("-99999999999999999999999", 0)]
    [InlineData("-4294967297", -1)]
    public void Atoi_matches_glibc(string text, int expected) => CNumbers.Atoi(text).ShouldBe(expected);

    [Theory]
    [InlineData("2147483647", false)]
    [InlineData("-2147483648", false)]
    [InlineData("007", false)]
    [InlineData("abc", false)]
    [InlineData("2147483648", true)]
    [InlineData("-2147483649", true)]
    [InlineData("99999999999999999999999", true)]
    public void Overflow_is_detected_where_the_int_cast_changes_the_value(string text, bool overflows) =>
        CNumbers.AtoiOverflows(text).ShouldBe(overflows);
}
