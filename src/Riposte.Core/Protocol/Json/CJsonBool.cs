namespace Riposte.Protocol.Json;

/// <summary>A JSON <c>true</c> or <c>false</c>.</summary>
public sealed class CJsonBool : CJsonNode
{
    private CJsonBool(bool value) => Value = value;

    /// <summary>The <c>true</c> node.</summary>
    public static CJsonBool True { get; } = new(true);

    /// <summary>The <c>false</c> node.</summary>
    public static CJsonBool False { get; } = new(false);

    /// <inheritdoc/>
    public override CJsonNodeKind Kind => CJsonNodeKind.Bool;

    /// <summary>The value.</summary>
    public bool Value { get; }

    /// <summary>Returns the shared node for <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see cref="True"/> or <see cref="False"/>.</returns>
    public static CJsonBool From(bool value) => value ? True : False;

    internal override void WriteCore(ref CJsonOutput output) => output.Write(Value ? "true"u8 : "false"u8);
}
