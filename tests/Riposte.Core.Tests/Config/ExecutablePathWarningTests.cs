namespace Riposte.Config;

/// <summary>Executables execd will never run as written get a warning, so <c>riposte validate</c> names them.</summary>
public sealed class ExecutablePathWarningTests
{
    [Fact]
    public void Absolute_executable_is_a_warning()
    {
        var result = OssecConfigReader.ReadText(Fixtures.Conf("<command><name>abs</name><executable>/usr/bin/id</executable></command>"), "test.conf");

        var warning = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ShouldHaveSingleItem();
        warning.Message.ShouldContain("'/usr/bin/id' is absolute");
        warning.Message.ShouldContain("'active-response/bin//usr/bin/id'");
        result.HasErrors.ShouldBeFalse();
    }
}
