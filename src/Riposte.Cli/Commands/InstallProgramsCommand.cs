using System.CommandLine;
using Riposte.Cli.Daemon;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte install-programs</c>: installs the built-in response programs (one native multi-call executable,
/// <c>riposte-ar</c>) under each program name into <c>HOME/active-response/bin/</c>.
/// </summary>
internal static class InstallProgramsCommand
{
    /// <summary>The names <c>riposte-ar</c> answers to.</summary>
    public static readonly string[] Programs =
        ["firewall-drop", "nft-drop", "ipset-drop", "host-deny", "route-null", "disable-account", "firewalld-drop", "restart-service", "webhook"];

    private const string BinaryName = "riposte-ar";

    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var from = new Option<string?>("--from") { Description = $"The {BinaryName} executable (default: next to riposte, else /usr/lib/riposte/{BinaryName} or /usr/local/lib/riposte/{BinaryName}, else artifacts/programs/{BinaryName})." };
        var only = new Option<string[]>("--only") { Description = "Install only these programs.", AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force") { Description = "Replace existing programs of the same name (Wazuh's stock ones are kept as NAME.wazuh)." };
        var command = new Command("install-programs", "Install Riposte's built-in response programs into HOME/active-response/bin.") { home, from, only, force };
        command.SetAction(parse =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), null, io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            var source = parse.GetValue(from) ?? FindBinary();
            if (source is null || !File.Exists(source))
            {
                io.Error.WriteLine($"{BinaryName} not found{(source is null ? "" : $" at {source}")}: build it with `dotnet publish src/Riposte.Programs -c Release -r linux-x64 -o artifacts/programs` or pass --from");
                return ExitCodes.InvalidInput;
            }

            var names = parse.GetValue(only) is { Length: > 0 } selected ? selected : Programs;
            var unknown = names.Except(Programs, StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                io.Error.WriteLine($"unknown program(s): {string.Join(", ", unknown)}; known: {string.Join(", ", Programs)}");
                return ExitCodes.Usage;
            }

            var bin = Path.Combine(layout.Home, "active-response", "bin");
            Directory.CreateDirectory(bin);
            var image = File.ReadAllBytes(source);
            var skipped = 0;
            foreach (var name in names)
            {
                var target = Path.Combine(bin, name);
                if (File.Exists(target) && !File.ReadAllBytes(target).AsSpan().SequenceEqual(image))
                {
                    if (!parse.GetValue(force))
                    {
                        io.Out.WriteLine($"skipped {target}: another program is installed there (use --force to replace it; it is kept as {name}.wazuh)");
                        skipped++;
                        continue;
                    }

                    File.Move(target, target + ".wazuh", overwrite: true);
                }

                // Write then rename, so execd-style readers never see a half-written executable.
                var temporary = target + ".riposte-new";
                File.WriteAllBytes(temporary, image);
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                    UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
                File.Move(temporary, target, overwrite: true);
                io.Out.WriteLine($"installed {target}");
            }

            return skipped > 0 ? ExitCodes.InvalidInput : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Where the packages install <c>riposte-ar</c> (the .deb under /usr/lib, the tarball's <c>install.sh</c> under
    /// /usr/local/lib by default), looked at when it is not next to this <c>riposte</c>.
    /// </summary>
    internal static readonly string[] InstalledLocations = ["/usr/lib/riposte", "/usr/local/lib/riposte"];

    /// <summary>
    /// The <c>riposte-ar</c> to install: next to this <c>riposte</c> (AppContext.BaseDirectory is the real directory,
    /// so /usr/bin/riposte, a link to /usr/lib/riposte/riposte, finds /usr/lib/riposte/riposte-ar), then the installed
    /// locations, then a development tree's <c>artifacts/programs</c>.
    /// </summary>
    internal static string? FindBinary()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, BinaryName);
        if (File.Exists(beside))
        {
            return beside;
        }

        foreach (var directory in InstalledLocations)
        {
            var installed = Path.Combine(directory, BinaryName);
            if (File.Exists(installed))
            {
                return installed;
            }
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "artifacts", "programs", BinaryName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
