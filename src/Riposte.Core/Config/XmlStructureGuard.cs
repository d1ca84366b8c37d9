namespace Riposte.Config;

/// <summary>
/// A linear pre-scan of ossec.conf text that enforces <see cref="ConfigLimits"/> before any XML parser sees it.
/// </summary>
/// <remarks>
/// Both parsers behind <see cref="XmlConfigDocument"/> are superlinear on hostile shapes: LINQ to XML walks up to
/// the root for every node it adds (a cycle check), so nesting costs O(depth²), and XmlReader's attribute handling
/// grows faster than linearly with the attributes of one element. XmlReader cannot be stopped halfway through a
/// tag, so the scan counts raw markup instead: start tags, end tags and <c>=</c> outside quotes, skipping comments,
/// CDATA, processing instructions and declarations. On malformed text the counts may be off, but the XML parser
/// then reports the real error; the scan only has to stop hostile input early.
/// </remarks>
internal static class XmlStructureGuard
{
    /// <summary>The first limit exceeded, with the offset of the element that exceeds it, or null.</summary>
    public static (int Offset, string Reason)? Check(string text)
    {
        var depth = 0;
        var elements = 0;
        var i = 0;
        while (true)
        {
            i = text.IndexOf('<', i);
            if (i < 0 || i + 1 >= text.Length)
            {
                return null;
            }

            var tag = i;
            var next = text[i + 1];
            if (next is '!' or '?')
            {
                i = SkipMarkup(text, i);
                continue;
            }

            if (next == '/')
            {
                depth--;
                i = text.IndexOf('>', i);
                if (i < 0)
                {
                    return null;
                }

                continue;
            }

            if (++elements > ConfigLimits.MaxElements)
            {
                return (tag, $"more than {ConfigLimits.MaxElements} elements");
            }

            var (end, attributes, selfClosing) = ScanTag(text, i + 1);
            if (attributes > ConfigLimits.MaxAttributesPerElement)
            {
                return (tag, $"element '{NameAt(text, tag + 1)}' has more than {ConfigLimits.MaxAttributesPerElement} attributes");
            }

            if (!selfClosing && ++depth > ConfigLimits.MaxDepth)
            {
                return (tag, $"elements are nested more than {ConfigLimits.MaxDepth} deep");
            }

            if (end < 0)
            {
                return null;
            }

            i = end;
        }
    }

    /// <summary>Skips <c>&lt;!-- --&gt;</c>, <c>&lt;![CDATA[ ]]&gt;</c>, <c>&lt;? ?&gt;</c> and other <c>&lt;!</c> declarations.</summary>
    private static int SkipMarkup(string text, int i)
    {
        var rest = text.AsSpan(i);
        var (terminator, skip) = rest.StartsWith("<!--") ? ("-->", 4)
            : rest.StartsWith("<![CDATA[") ? ("]]>", 9)
            : rest.StartsWith("<?") ? ("?>", 2)
            : (">", 2);
        var end = text.IndexOf(terminator, i + skip, StringComparison.Ordinal);
        return end < 0 ? text.Length : end + terminator.Length;
    }

    /// <summary>From just after '&lt;' to the closing '&gt;' (outside quotes): its index (or -1), the '=' count and whether it ends in "/&gt;".</summary>
    private static (int End, int Attributes, bool SelfClosing) ScanTag(string text, int i)
    {
        var attributes = 0;
        var quote = '\0';
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '=')
            {
                attributes++;
            }
            else if (c == '>')
            {
                return (i, attributes, text[i - 1] == '/');
            }
            else if (c == '<')
            {
                // Not a tag after all (the XML parser will say why); the '<' starts the next markup.
                return (i, attributes, true);
            }
        }

        return (-1, attributes, false);
    }

    private static string NameAt(string text, int i)
    {
        var end = i;
        while (end < text.Length && end - i < 64 && !char.IsWhiteSpace(text[end]) && text[end] is not ('/' or '>' or '='))
        {
            end++;
        }

        return text[i..end];
    }
}
