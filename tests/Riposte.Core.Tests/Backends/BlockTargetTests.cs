namespace Riposte.Backends;

public sealed class BlockTargetTests
{
    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("1.2.3.4/32", "1.2.3.4")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("2001:0DB8:0000::0001", "2001:db8::1")]
    [InlineData("2001:db8::1/128", "2001:db8::1")]
    [InlineData("2001:db8:1:2::/48", "2001:db8:1::/48")]
    [InlineData("::ffff:1.2.3.4", "1.2.3.4")]
    [InlineData("::ffff:1.2.3.0/120", "1.2.3.0/24")]
    [InlineData("10.0.0.0-10.255.255.255", "10.0.0.0/8")]
    [InlineData("1.2.3.4-1.2.3.4", "1.2.3.4")]
    [InlineData("1.2.3.1-1.2.3.9", "1.2.3.1-1.2.3.9")]
    [InlineData("240.0.0.0/4", "240.0.0.0/4")]
    [InlineData("0.0.0.0/8", "0.0.0.0/8")]
    public void Normalizes(string text, string expected)
    {
        BlockTarget.Normalize(text).ShouldBe(expected);
        BlockTarget.Parse(expected).ShouldBe(BlockTarget.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.4/33")]
    [InlineData("1.2.3.4/")]
    [InlineData("1.2.3.4/-1")]
    [InlineData("1.2.3.4/+8")]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    [InlineData("0.0.0.0-255.255.255.255")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[2001:db8::1]")]
    [InlineData("1.2.3.9-1.2.3.1")]
    [InlineData("1.2.3.4-2001:db8::1")]
    [InlineData("::ffff:1.2.3.4/64")]
    [InlineData("example.com")]
    [InlineData("1.2.3.4; drop")]
    public void Refuses(string text)
    {
        BlockTarget.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNullOrEmpty();
        Should.Throw<FormatException>(() => BlockTarget.Parse(text));
    }

    [Fact]
    public void Describes_family_prefix_and_containment()
    {
        var network = BlockTarget.Parse("10.0.0.0/24");
        var address = BlockTarget.Parse("10.0.0.7");
        var v6 = BlockTarget.Parse("2001:db8::/32");

        network.IsIPv6.ShouldBeFalse();
        network.PrefixLength.ShouldBe(24);
        address.IsSingleAddress.ShouldBeTrue();
        address.PrefixLength.ShouldBe(32);
        v6.IsIPv6.ShouldBeTrue();
        BlockTarget.Parse("1.2.3.1-1.2.3.9").IsRange.ShouldBeTrue();
        network.Contains(address).ShouldBeTrue();
        address.Contains(network).ShouldBeFalse();
        network.Overlaps(BlockTarget.Parse("10.0.0.128-10.0.1.5")).ShouldBeTrue();
        network.Contains(v6).ShouldBeFalse();
        network.FirstAddress.ToString().ShouldBe("10.0.0.0");
        network.LastAddress.ToString().ShouldBe("10.0.0.255");
    }

    [Fact]
    public void Coalesce_keeps_the_last_change_per_target()
    {
        var changes = new[]
        {
            BlockChange.Add("1.2.3.4"),
            BlockChange.Add("5.6.7.8"),
            BlockChange.Remove("1.2.3.4/32"),
            BlockChange.Add("2001:db8::1", TimeSpan.FromSeconds(5)),
            BlockChange.Add("2001:DB8::1", TimeSpan.FromSeconds(9)),
        };

        var result = BlockChange.Coalesce(changes);

        result.Select(c => $"{c.Action} {c.Target} {c.KernelTimeout?.TotalSeconds}").ShouldBe(["Add 5.6.7.8 ", "Remove 1.2.3.4 ", "Add 2001:db8::1 9"]);
    }

    [Fact]
    public void Kernel_timeouts_are_rounded_up_and_capped()
    {
        BlockChange.Add("1.2.3.4", TimeSpan.FromMilliseconds(1500)).EffectiveTimeout(BlockChange.MaxKernelTimeout).ShouldBe(TimeSpan.FromSeconds(2));
        BlockChange.Add("1.2.3.4", TimeSpan.FromDays(365)).EffectiveTimeout(BlockChange.MaxKernelTimeout).ShouldBe(TimeSpan.FromSeconds(2_147_483));
        BlockChange.Add("1.2.3.4", TimeSpan.Zero).EffectiveTimeout(BlockChange.MaxKernelTimeout).ShouldBeNull();
        BlockChange.Add("1.2.3.4").EffectiveTimeout(BlockChange.MaxKernelTimeout).ShouldBeNull();
        new BlockChange(BlockAction.Remove, BlockTarget.Parse("1.2.3.4"), TimeSpan.FromSeconds(5)).EffectiveTimeout(BlockChange.MaxKernelTimeout).ShouldBeNull();
    }
}
