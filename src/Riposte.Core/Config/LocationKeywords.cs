using Riposte.Matching.OsRegex;

namespace Riposte.Config;

/// <summary>analysisd's substring tests on <c>&lt;location&gt;</c> (OS_Regex, case-insensitive), OR-ed together.</summary>
internal static class LocationKeywords
{
    private static readonly OsRegexPattern Server = OsRegexPattern.CompileOrNull("AS|analysisd|analysis-server|server")!;
    private static readonly OsRegexPattern Local = OsRegexPattern.CompileOrNull("local")!;
    private static readonly OsRegexPattern Defined = OsRegexPattern.CompileOrNull("defined-agent")!;
    private static readonly OsRegexPattern All = OsRegexPattern.CompileOrNull("all|any")!;

    public static ArLocation Parse(string text)
    {
        var location = ArLocation.None;
        if (Server.IsMatch(text))
        {
            location |= ArLocation.Server;
        }

        if (Local.IsMatch(text))
        {
            location |= ArLocation.Local;
        }

        if (Defined.IsMatch(text))
        {
            location |= ArLocation.DefinedAgent;
        }

        if (All.IsMatch(text))
        {
            location |= ArLocation.All;
        }

        return location;
    }
}
