using System.CommandLine;
using Riposte.Config;

namespace Riposte.Cli.Commands;

/// <summary>The <c>--config</c> option shared by the commands that read ossec.conf.</summary>
internal static class ConfigOptions
{
    public static Option<string[]> CreateConfigOption() => new("--config", "-c")
    {
        Description = "A Wazuh ossec.conf (repeat to read several, in order).",
        Required = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Loads the configuration; on errors prints every finding to stderr and returns null.</summary>
    public static WazuhConfig? LoadOrReport(string[] files, CliIo io)
    {
        var result = OssecConfigReader.ReadFiles(files);
        if (result.HasErrors)
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                io.Error.WriteLine(diagnostic.ToString());
            }
        }

        return result.Config;
    }
}
