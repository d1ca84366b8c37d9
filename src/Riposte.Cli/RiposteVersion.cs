using System.Reflection;

namespace Riposte.Cli;

/// <summary>Riposte's version as built (the informational version, without the commit hash).</summary>
internal static class RiposteVersion
{
    public static string Text { get; } =
        (typeof(RiposteVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
