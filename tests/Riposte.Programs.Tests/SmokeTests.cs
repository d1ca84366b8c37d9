namespace Riposte;

public sealed class ProgramsSmokeTests
{
    [Fact]
    public void Builds() => true.ShouldBeTrue();
}
