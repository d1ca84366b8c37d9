namespace Riposte.Protocol.Json;

/// <summary>The kind of a <see cref="CJsonNode"/>.</summary>
public enum CJsonNodeKind
{
    /// <summary>A <see cref="CJsonObject"/>.</summary>
    Object,

    /// <summary>A <see cref="CJsonArray"/>.</summary>
    Array,

    /// <summary>A <see cref="CJsonString"/>.</summary>
    String,

    /// <summary>A <see cref="CJsonNumber"/>.</summary>
    Number,

    /// <summary>A <see cref="CJsonBool"/>.</summary>
    Bool,

    /// <summary>A <see cref="CJsonNull"/>.</summary>
    Null,

    /// <summary>A <see cref="CJsonRaw"/>: pre-printed JSON written verbatim.</summary>
    Raw,
}
