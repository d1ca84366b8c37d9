namespace Riposte.Protocol.Execd;

public sealed class ArCommandTableTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("riposte-arconf-").FullName;

    public ArCommandTableTests() => Directory.CreateDirectory(Path.Combine(_home, ArCommandTable.BinDirectory));

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void Absolute_executable_is_looked_up_under_the_bin_directory_as_execd_does()
    {
        // execd builds "active-response/bin/<exe>" by concatenation: "/bin/sh" names active-response/bin//bin/sh,
        // which is not there, so the entry has no program (ignored silently), however present /bin/sh is.
        var table = new ArCommandTable(_home, [("shell0", "/bin/sh", 0)]);

        table.Resolve("shell0").ShouldBe(new ArCommand("shell0", "", 0));
    }

    [Fact]
    public void Absolute_executable_that_exists_under_the_bin_directory_resolves_there()
    {
        var nested = Path.Combine(_home, ArCommandTable.BinDirectory, "bin");
        Directory.CreateDirectory(nested);
        File.WriteAllText(Path.Combine(nested, "sh"), "#!/bin/sh\n");

        var table = new ArCommandTable(_home, [("shell0", "/bin/sh", 0)]);

        table.Resolve("shell0").ShouldBe(new ArCommand("shell0", "active-response/bin//bin/sh", 0));
    }

    [Fact]
    public void Traversing_executable_is_refused_with_execd_warning()
    {
        var warnings = new List<string>();
        var table = new ArCommandTable(_home, [("up0", "../../../bin/sh", 0)], warnings.Add);

        table.Resolve("up0").ShouldBe(new ArCommand("up0", "", 0));
        warnings.ShouldContain("Active response command '../../../bin/sh' vulnerable to directory traversal attack. Ignoring.");
    }
}
