namespace Riposte.Protocol.Json;

/// <summary>The JSON <c>null</c>.</summary>
public sealed class CJsonNull : CJsonNode
{
    private CJsonNull()
    {
    }

    /// <summary>The shared instance.</summary>
    public static CJsonNull Instance { get; } = new();

    /// <inheritdoc/>
    public override CJsonNodeKind Kind => CJsonNodeKind.Null;

    internal override void WriteCore(ref CJsonOutput output) => output.Write("null"u8);
}
