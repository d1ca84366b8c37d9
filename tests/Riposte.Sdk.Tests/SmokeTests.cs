namespace Riposte;

public sealed class SdkSmokeTests
{
    [Fact]
    public void Builds() => true.ShouldBeTrue();
}
