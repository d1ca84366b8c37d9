namespace Riposte.Config.Settings;

internal static class SettingsTestHelpers
{
    public static RiposteSettings Load(string json)
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText(json);
        diagnostics.ShouldBeEmpty(string.Join("\n", diagnostics));
        return settings.ShouldNotBeNull();
    }

    public static IReadOnlyList<ConfigDiagnostic> Diagnostics(string json) => RiposteSettingsReader.ReadText(json).Diagnostics;

    public static ConfigDiagnostic Single(string json)
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText(json);
        diagnostics.Count.ShouldBe(1, string.Join("\n", diagnostics));
        if (diagnostics[0].Severity == DiagnosticSeverity.Error)
        {
            settings.ShouldBeNull();
        }
        else
        {
            settings.ShouldNotBeNull();
        }

        return diagnostics[0];
    }

    public static void ShouldBeAt(this ConfigDiagnostic diagnostic, DiagnosticSeverity severity, int line, int column, string fragment)
    {
        diagnostic.Severity.ShouldBe(severity, diagnostic.ToString());
        diagnostic.Code.ShouldBeNull();
        diagnostic.Position.ShouldBe(new SourcePosition("riposte.json", line, column), diagnostic.ToString());
        diagnostic.Message.ShouldContain(fragment, Case.Sensitive, diagnostic.ToString());
    }

    /// <summary>The repository root, found from the test binaries so the example file can be read in place.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Riposte.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Riposte.slnx not found above " + AppContext.BaseDirectory);
    }
}
