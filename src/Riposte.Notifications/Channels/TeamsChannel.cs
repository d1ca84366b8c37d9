using System.Text;
using System.Text.Json.Nodes;
using Riposte.Config.Settings;
using Riposte.Events;

namespace Riposte.Notifications.Channels;

/// <summary>
/// Microsoft Teams: by default a message with an Adaptive Card attachment, what a Teams Workflows webhook ("When a
/// Teams webhook request is received") takes; with <see cref="TeamsFormat.MessageCard"/>, the legacy connector
/// MessageCard. Both show the summary, a colour by severity and up to <see cref="MaxFacts"/> events as facts.
/// </summary>
public sealed class TeamsChannel(NotificationTarget target, TimeSpan timeout) : HttpChannel(target, timeout)
{
    /// <summary>The most events shown as facts; a digest stands for more, which the footer counts.</summary>
    public const int MaxFacts = 10;

    /// <summary>The longest fact value, in characters, before it is cut with an ellipsis.</summary>
    public const int MaxValueLength = 300;

    /// <summary>The longest title, in characters, before it is cut with an ellipsis.</summary>
    public const int MaxTitleLength = 200;

    private readonly TeamsFormat _format = (target ?? throw new ArgumentNullException(nameof(target))).Format;

    /// <inheritdoc />
    public override JsonNode Body(NotificationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _format == TeamsFormat.MessageCard ? MessageCard(message) : AdaptiveCard(message);
    }

    /// <summary>
    /// Makes hostile text inert where Teams renders markdown (TextBlock text and FactSet titles and values take bold,
    /// italic, lists and links). Backslash escapes are not among what Adaptive Cards document, so a renderer may show
    /// them as they are; the characters that open markup become look-alikes instead, which read the same to a person
    /// and mean nothing to a parser: <c>*</c>, <c>_</c>, <c>[</c>, <c>]</c>, <c>`</c>, <c>&lt;</c> and <c>&gt;</c>.
    /// Line breaks and other control characters become spaces (a list needs a line start), bidirectional overrides are
    /// dropped (they can make text read backwards), a list marker at the start is
    /// held off with a word joiner, <c>://</c> is broken so no linkifier sees a URL, and the text is cut at
    /// <paramref name="max"/> characters.
    /// </summary>
    public static string Plain(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 2);
        var plain = new StringBuilder(Math.Min(text.Length, max) + 8);
        foreach (char c in text)
        {
            // Bidirectional overrides and isolates can make a line read as something else than what it holds.
            if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                continue;
            }

            plain.Append(c switch
            {
                '*' => '\u2217',
                '_' => '\uFF3F',
                '[' => '\uFF3B',
                ']' => '\uFF3D',
                '`' => '\u02CB',
                '<' => '\u2039',
                '>' => '\u203A',
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' => ' ',
                _ => c,
            });
        }

        plain.Replace("://", ":\u200B//");
        string result = plain.ToString();
        if (StartsLikeAList(result))
        {
            result = "\u2060" + result;
        }

        // Cut at a whole character: a surrogate pair split in two is not valid UTF-16 and Teams may refuse the card.
        if (result.Length > max)
        {
            int cut = max - 1;
            if (char.IsHighSurrogate(result[cut - 1]))
            {
                cut--;
            }

            result = result[..cut] + "…";
        }

        return result;
    }

    private static bool StartsLikeAList(string text)
    {
        string t = text.TrimStart(' ');
        if (t.Length >= 2 && t[0] is '-' or '+' && t[1] == ' ')
        {
            return true;
        }

        int digits = 0;
        while (digits < t.Length && char.IsAsciiDigit(t[digits]))
        {
            digits++;
        }

        return digits > 0 && digits + 1 < t.Length && t[digits] is '.' or ')' && t[digits + 1] == ' ';
    }

    private static JsonObject AdaptiveCard(NotificationMessage message)
    {
        // Adaptive Card styles, not colours: Teams maps them to its light, dark and high-contrast themes.
        string style = message.Severity switch { EventSeverity.Error => "attention", EventSeverity.Warning => "warning", _ => "accent" };
        var facts = new JsonArray();
        foreach (var e in message.Events.Take(MaxFacts))
        {
            facts.Add(new JsonObject { ["title"] = $"{e.At:u}", ["value"] = Plain(Grouping.DigestText.One(e), MaxValueLength) });
        }

        var body = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "Container",
                ["style"] = style,
                ["bleed"] = true,
                ["items"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["type"] = "TextBlock",
                        ["text"] = Plain("Riposte: " + message.Summary, MaxTitleLength),
                        ["weight"] = "bolder",
                        ["size"] = "medium",
                        ["wrap"] = true,
                    },
                },
            },
        };
        if (facts.Count > 0)
        {
            body.Add(new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
        }

        body.Add(new JsonObject
        {
            ["type"] = "TextBlock",
            ["text"] = Plain($"{message.Count} event(s) since {message.Since:u} · {message.Target}", MaxValueLength),
            ["isSubtle"] = true,
            ["size"] = "small",
            ["wrap"] = true,
        });

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject
                {
                    ["contentType"] = "application/vnd.microsoft.card.adaptive",
                    ["contentUrl"] = null,
                    ["content"] = new JsonObject
                    {
                        ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                        ["type"] = "AdaptiveCard",
                        ["version"] = "1.4",
                        ["body"] = body,
                    },
                },
            },
        };
    }

    private static JsonObject MessageCard(NotificationMessage message)
    {
        // A connector renders markdown and some HTML in facts, so they are made plain the same way.
        var facts = new JsonArray();
        foreach (var e in message.Events.Take(MaxFacts))
        {
            facts.Add(new JsonObject { ["name"] = $"{e.At:u}", ["value"] = Plain(Grouping.DigestText.One(e), MaxValueLength) });
        }

        return new JsonObject
        {
            ["@type"] = "MessageCard",
            ["@context"] = "https://schema.org/extensions",
            ["summary"] = Plain(message.Summary, MaxTitleLength),
            ["themeColor"] = message.Severity switch { EventSeverity.Error => "D13438", EventSeverity.Warning => "FFB900", _ => "0078D7" },
            ["title"] = Plain("Riposte: " + message.Summary, MaxTitleLength),
            ["sections"] = new JsonArray
            {
                new JsonObject { ["activityTitle"] = Plain($"{message.Count} event(s) · {message.Target}", MaxValueLength), ["facts"] = facts },
            },
        };
    }
}
