using System.Globalization;
using System.Text;
using Riposte.Events;

namespace Riposte.Cli.Events;

/// <summary>One readable line per <see cref="ResponseEvent"/>, as <c>history --follow</c> prints them.</summary>
internal static class EventText
{
    /// <summary>Longest detail shown; the whole text is in <c>--format json</c> and <c>riposte history</c>.</summary>
    public const int MaxDetail = 100;

    private const string Reset = "\e[0m";

    /// <summary>
    /// <c>TIME EVENT RESPONSE TARGET [agent AGENT] [exit N] DURATIONms DETAIL</c>; with <paramref name="color"/>, the
    /// event is coloured by what it means (errors red, held back yellow, applied green, reverted cyan).
    /// </summary>
    public static string Format(ResponseEvent e, bool color)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = new StringBuilder();
        text.Append(CliJson.Timestamp(e.At)).Append(' ');
        var kind = e.Event.PadRight(12);
        text.Append(color && ColorOf(e) is { } code ? code + kind + Reset : kind);
        text.Append(' ').Append(e.Response ?? "-").Append(' ').Append(e.Target ?? "-");
        if (e.Agent is { } agent)
        {
            text.Append(" agent ").Append(agent);
        }

        if (e.ExitCode is { } exit)
        {
            text.Append(CultureInfo.InvariantCulture, $" exit {exit}");
        }

        text.Append(CultureInfo.InvariantCulture, $" {e.DurationMs}ms");
        if (!string.IsNullOrWhiteSpace(e.Detail))
        {
            // One line per event, whatever a program wrote.
            var detail = e.Detail.ReplaceLineEndings(" ");
            text.Append(' ').Append(detail.Length > MaxDetail ? detail[..MaxDetail] + "..." : detail);
        }

        return text.ToString();
    }

    /// <summary>True when colours help: standard output is a terminal and NO_COLOR (no-color.org) is unset or empty.</summary>
    public static bool ColorWanted(CliIo io) =>
        ReferenceEquals(io.Out, Console.Out) && !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    private static string? ColorOf(ResponseEvent e) => e.Level switch
    {
        EventSeverity.Error => "\e[31m",
        EventSeverity.Warning => "\e[33m",
        _ => e.Event switch
        {
            ResponseEventKinds.Add => "\e[32m",
            ResponseEventKinds.Delete or ResponseEventKinds.Revoke => "\e[36m",
            _ => null,
        },
    };
}
