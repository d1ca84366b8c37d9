namespace Riposte.Cli;

/// <summary>The streams a command talks to; tests substitute in-memory ones.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="OpenInput">Opens standard input (for <c>-</c> arguments).</param>
internal sealed record CliIo(TextWriter Out, TextWriter Error, Func<Stream> OpenInput)
{
    public static CliIo FromConsole() => new(Console.Out, Console.Error, Console.OpenStandardInput);
}
