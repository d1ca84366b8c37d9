namespace Riposte.Protocol.Json;

/// <summary>
/// Already-printed JSON that is written verbatim, like cJSON's <c>cJSON_Raw</c> items. Lets a large
/// value (such as the alert inside an active-response message) pass through a tree edit without being
/// expanded into nodes.
/// </summary>
public sealed class CJsonRaw : CJsonNode
{
    /// <summary>Wraps bytes that are already in cJSON canonical form; they are not checked.</summary>
    /// <param name="canonicalUtf8Json">
    /// Canonical JSON, e.g. from <see cref="CJsonCanonicalizer"/> or <see cref="CJsonNode.ToUtf8Bytes"/>.
    /// The memory is referenced, not copied, and must not change afterwards.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="canonicalUtf8Json"/> is empty.</exception>
    public CJsonRaw(ReadOnlyMemory<byte> canonicalUtf8Json)
    {
        if (canonicalUtf8Json.IsEmpty)
        {
            throw new ArgumentException("A raw JSON fragment cannot be empty.", nameof(canonicalUtf8Json));
        }

        Utf8Json = canonicalUtf8Json;
    }

    /// <inheritdoc/>
    public override CJsonNodeKind Kind => CJsonNodeKind.Raw;

    /// <summary>The bytes written for this node.</summary>
    public ReadOnlyMemory<byte> Utf8Json { get; }

    /// <summary>Canonicalizes arbitrary JSON text and wraps the result.</summary>
    /// <param name="utf8Json">Any JSON text cJSON would parse.</param>
    /// <returns>A raw node printing the canonical form.</returns>
    /// <exception cref="CJsonParseException">The text is not JSON that cJSON would parse.</exception>
    public static CJsonRaw FromJson(ReadOnlySpan<byte> utf8Json) => new(CJsonCanonicalizer.Canonicalize(utf8Json));

    /// <summary>Parses this fragment into nodes, for when it does need editing after all.</summary>
    /// <returns>A new tree.</returns>
    public CJsonNode Expand() => Parse(Utf8Json.Span);

    internal override void WriteCore(ref CJsonOutput output) => output.Write(Utf8Json.Span);
}
