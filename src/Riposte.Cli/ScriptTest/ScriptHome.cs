namespace Riposte.Cli.ScriptTest;

/// <summary>
/// Where the program under test runs: a temporary Wazuh-like home (<c>active-response/bin/NAME</c> linking to the
/// program, <c>logs/</c>), deleted afterwards, or a real home given with <c>--home</c>, left as it is.
/// </summary>
internal sealed class ScriptHome : IDisposable
{
    private ScriptHome(string path, string name, bool temporary)
    {
        Path = path;
        Name = name;
        Temporary = temporary;
    }

    /// <summary>The home: the program's working directory.</summary>
    public string Path { get; }

    /// <summary>The program's file name.</summary>
    public string Name { get; }

    /// <summary>argv0 and the path execd spawns: <c>active-response/bin/NAME</c>.</summary>
    public string RelativePath => $"active-response/bin/{Name}";

    /// <summary>True when this is a temporary home that <see cref="Dispose"/> deletes.</summary>
    public bool Temporary { get; }

    /// <summary>The program log, as the helper library writes it.</summary>
    public string LogPath => System.IO.Path.Combine(Path, "logs", "active-responses.log");

    /// <summary>
    /// Prepares the home for <paramref name="program"/>; null (with the reason in <paramref name="error"/>) when the
    /// command line is wrong.
    /// </summary>
    public static ScriptHome? Prepare(string program, string? home, out string? error)
    {
        var name = System.IO.Path.GetFileName(program);
        if (string.IsNullOrEmpty(name))
        {
            error = $"{program}: not a program file";
            return null;
        }

        if (home is not null)
        {
            return InExistingHome(program, home, name, out error);
        }

        var full = System.IO.Path.GetFullPath(program);
        if (!File.Exists(full))
        {
            error = $"{program}: no such file";
            return null;
        }

        var temporary = Directory.CreateTempSubdirectory("riposte-script-test-").FullName;
        try
        {
            var bin = Directory.CreateDirectory(System.IO.Path.Combine(temporary, "active-response", "bin")).FullName;
            Directory.CreateDirectory(System.IO.Path.Combine(temporary, "logs"));
            // A link rather than a copy: a program that finds its own files next to its real path (an apphost and
            // its DLLs, a virtualenv launcher) keeps working, while argv0 and $0 still name active-response/bin.
            File.CreateSymbolicLink(System.IO.Path.Combine(bin, name), full);
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }

        error = null;
        return new ScriptHome(temporary, name, temporary: true);
    }

    private static ScriptHome? InExistingHome(string program, string home, string name, out string? error)
    {
        var root = System.IO.Path.GetFullPath(home);
        if (!Directory.Exists(root))
        {
            error = $"--home {home}: no such directory";
            return null;
        }

        // execd runs only what is in active-response/bin; nothing is copied into a real home.
        var expected = System.IO.Path.Combine(root, "active-response", "bin", name);
        if (!File.Exists(expected))
        {
            error = $"{expected}: no such file (with --home, PROGRAM must be in HOME/active-response/bin)";
            return null;
        }

        if (program.Contains('/', StringComparison.Ordinal) && System.IO.Path.GetFullPath(program) != expected)
        {
            error = $"{program}: with --home, PROGRAM must be HOME/active-response/bin/{name} or just {name}";
            return null;
        }

        error = null;
        return new ScriptHome(root, name, temporary: false);
    }

    /// <summary>Deletes a temporary home (the link only, never the program it points to).</summary>
    public void Dispose()
    {
        if (Temporary)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A background child of the program may still be writing in it; it is under the temp directory anyway.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
