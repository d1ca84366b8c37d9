namespace Riposte.Protocol.Json;

/// <summary>A JSON number, stored as a double like cJSON's <c>valuedouble</c>.</summary>
public sealed class CJsonNumber : CJsonNode
{
    /// <summary>Creates a number node (<c>cJSON_CreateNumber</c>).</summary>
    /// <param name="value">The value; NaN and infinities print as <c>null</c>.</param>
    public CJsonNumber(double value) => Value = value;

    /// <inheritdoc/>
    public override CJsonNodeKind Kind => CJsonNodeKind.Number;

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <summary>cJSON's <c>valueint</c>: the value truncated to a 32-bit int, saturating at the int range.</summary>
    public int ValueInt => CJsonNumberFormatter.SaturatingInt32(Value);

    internal override void WriteCore(ref CJsonOutput output)
    {
        Span<byte> span = output.GetSpan(CJsonNumberFormatter.BufferSize);
        output.Advance(CJsonNumberFormatter.FormatCore(Value, span));
    }
}
