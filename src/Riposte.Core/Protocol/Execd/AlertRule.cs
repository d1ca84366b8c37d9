using Riposte.Protocol.Json;

namespace Riposte.Protocol.Execd;

/// <summary>The rule behind an alert (<c>parameters.alert.rule.id</c> and <c>.level</c>), recorded with what it caused.</summary>
/// <param name="Id">The rule id (Wazuh writes it as a string; a number is accepted too).</param>
/// <param name="Level">The rule level, when it is a number.</param>
public readonly record struct AlertRule(string? Id, int? Level)
{
    /// <summary>The rule of an alert object; empty when there is none.</summary>
    public static AlertRule Of(CJsonObject? alert)
    {
        if (alert?.GetObject("rule") is not { } rule)
        {
            return default;
        }

        var id = rule.Get("id") switch
        {
            CJsonString s => s.Value,
            CJsonNumber n => CJsonNumberFormatter.SaturatingInt32(n.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
        return new AlertRule(id, rule.Get("level") is CJsonNumber level ? level.ValueInt : null);
    }

    /// <summary>The rule of a stored message's alert (a timeout entry's delete message); empty when it cannot be read.</summary>
    public static AlertRule OfMessage(ReadOnlySpan<byte> message) =>
        ExecdMessage.TryParse(message, out var parsed, out _) ? parsed!.Rule : default;
}
